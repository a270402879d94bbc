using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using BuildsRs.Builder;
using BuildsRs.Builder.Infrastructure;
using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Tests.Fixtures;
using Docker.DotNet;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BuildsRs.Tests.Integration;

/// <summary>
/// Real binary builds of crates from the local registry in the real sandbox: the crates people build, the crates that
/// fail, and build scripts that misbehave. Each ends with the outcome the queue would record.
/// </summary>
public sealed class BinaryJobTests : IAsyncLifetime
{
    private readonly string work = Path.Combine(Path.GetTempPath(), "buildsrs-tests-binary-" + Guid.NewGuid().ToString("N"));
    private readonly DockerClient docker = new DockerClientConfiguration().CreateClient();
    private readonly HttpClient http = new();
    private readonly StringBuilder log = new();
    private LocalRegistryFixture registry = null!;
    private BuilderOptions options = null!;

    public async Task InitializeAsync()
    {
        registry = await LocalRegistryFixture.StartAsync();
        options = new BuilderOptions
        {
            Images = new Dictionary<string, string>(RepositoryPaths.BuildImages),
            RegistryIndex = registry.SparseIndexUrl,
            // The product's limits: a cold build of a dependency tree on a busy 2-core machine takes minutes, and
            // how many is not what these tests check. Tests of the limits themselves set their own.
            Sandbox = new SandboxLimits { Runtime = RepositoryPaths.SandboxRuntime },
        };
    }

    public async Task DisposeAsync()
    {
        await registry.DisposeAsync();
        docker.Dispose();
        http.Dispose();
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task A_crate_with_a_tree_of_dependencies_builds_offline_and_its_binary_runs_on_Debian_11()
    {
        var artifact = await BuildAsync("hexyl", "0.8.0");

        Assert.Equal(["hexyl"], artifact.Binaries);
        var unpacked = await UnpackAsync(artifact);
        Assert.Contains("hexyl 0.8.0", (await Processes.RunAsync(Path.Combine(unpacked, "hexyl"), "--version")).Output, StringComparison.Ordinal);
        Assert.Contains("Vendoring", log.ToString(), StringComparison.Ordinal);
        Assert.Equal(("x86-64", "dynamic"), (artifact.Platform!.Machine, artifact.Platform.Linkage));
        Assert.True(Version.Parse(artifact.Platform.Glibc!) <= new Version(2, 31), $"needs glibc {artifact.Platform.Glibc}");
        // The x86_64 build image is a Debian 11 root: the oldest system the recorded floor promises.
        var (exitCode, output, errors) = await Processes.RunAsync("docker", "run", "--rm", "--network", "none", "-v", $"{unpacked}:/built:ro",
            RepositoryPaths.BuildImages[RepositoryPaths.HostTarget], "sh", "-c", "cat /etc/debian_version && /built/hexyl --version");
        Assert.True(exitCode == 0, errors);
        Assert.StartsWith("11.", output, StringComparison.Ordinal);
        Assert.Contains("hexyl 0.8.0", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aarch64-unknown-linux-gnu", "aarch64")]
    [InlineData("armv7-unknown-linux-gnueabihf", "arm")]
    [InlineData("i686-unknown-linux-gnu", "x86")]
    [InlineData("powerpc64le-unknown-linux-gnu", "ppc64")]
    [InlineData("s390x-unknown-linux-gnu", "s390")]
    public async Task A_crate_with_a_tree_of_dependencies_cross_builds_to_a_binary_that_runs_under_qemu(string target, string machine)
    {
        var artifact = await BuildAsync("hexyl", "0.8.0", target);

        Assert.Equal("hexyl-0.8.0-" + target + ".tar.gz", Path.GetFileName(artifact.Path));
        Assert.Equal((machine, "dynamic"), (artifact.Platform!.Machine, artifact.Platform.Linkage));
        // Cross images are Debian 12 roots: the floor is at most their glibc.
        Assert.True(Version.Parse(artifact.Platform.Glibc!) <= new Version(2, 36), $"needs glibc {artifact.Platform.Glibc}");
        var unpacked = await UnpackAsync(artifact);
        Assert.Equal(machine, ElfBinary.Read(Path.Combine(unpacked, "hexyl"))!.Machine);
        var version = await TargetBinaries.RunAsync(target, Path.Combine(unpacked, "hexyl"), "--version");
        Assert.Equal("hexyl 0.8.0", version.Output.Trim());
        var input = Path.Combine(work, "input.txt");
        await File.WriteAllTextAsync(input, "builds.rs");
        var dump = await TargetBinaries.RunAsync(target, Path.Combine(unpacked, "hexyl"), "--color=never", input);
        Assert.True(dump.ExitCode == 0, dump.Errors);
        Assert.Contains("62 75 69 6c 64 73 2e 72", dump.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// lscolors, not hexyl: the local registry's crates are Debian's, and Debian's terminal_size (which hexyl reaches
    /// through clap and textwrap) drops its Windows dependency, windows-sys, so hexyl from it cannot build for Windows.
    /// lscolors reaches Windows' API through nu-ansi-term and ansi_term, which use winapi: its import libraries come
    /// from MinGW-w64, since Debian's winapi leaves out its own.
    /// </summary>
    [Fact]
    public async Task A_crate_with_a_tree_of_dependencies_builds_a_Windows_exe_that_runs_under_wine_with_only_Windows_DLLs()
    {
        const string target = "x86_64-pc-windows-gnu";
        var artifact = await BuildAsync("lscolors", "0.13.0", target);

        Assert.Equal("lscolors-0.13.0-" + target + ".tar.gz", Path.GetFileName(artifact.Path));
        Assert.Equal(["lscolors.exe"], artifact.Binaries);
        Assert.Equal(("x86-64", "console", null), (artifact.Platform!.Machine, artifact.Platform.Subsystem, artifact.Platform.Glibc));
        // The C runtime is linked in: no MinGW DLL that a clean Windows lacks.
        Assert.Contains("kernel32.dll", artifact.Platform.Dlls!);
        Assert.DoesNotContain(artifact.Platform.Dlls!, dll => dll.StartsWith("libgcc", StringComparison.Ordinal) || dll.StartsWith("libwinpthread", StringComparison.Ordinal));
        var unpacked = await UnpackAsync(artifact);
        Assert.Equal(artifact.Platform.Dlls, PeBinary.Read(Path.Combine(unpacked, "lscolors.exe"))!.Dlls);
        var input = Path.Combine(work, "input.txt");
        await File.WriteAllTextAsync(input, "builds.rs");
        // It reads the file's type and paints each component of its path, which it puts back together as Windows does.
        var run = await TargetBinaries.RunAsync(target, Path.Combine(unpacked, "lscolors.exe"), input);
        Assert.True(run.ExitCode == 0, run.Errors);
        Assert.Equal("\\work\\arg0\\input.txt", System.Text.RegularExpressions.Regex.Replace(run.Output, "\u001b\\[[0-9;]*m", "").Trim());
    }

    [Fact]
    public async Task A_Windows_exe_that_needs_a_DLL_Windows_does_not_have_is_refused()
    {
        // raw-dylib imports from a DLL by name with no import library: the exe links, and would not start on Windows.
        await registry.Cargo.PublishAsync("buildsrs-needs-dll", "1.0.0", mainRs: """
            #[link(name = "buildsrs-missing", kind = "raw-dylib")]
            unsafe extern "C" {
                fn buildsrs_missing() -> i32;
            }
            fn main() {
                if std::env::args().count() > 9 {
                    println!("{}", unsafe { buildsrs_missing() });
                }
            }
            """);

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("buildsrs-needs-dll", "1.0.0", "x86_64-pc-windows-gnu"));

        Assert.Equal(JobOutcome.BuildFailed, failure.Outcome);
        Assert.StartsWith("buildsrs-needs-dll.exe needs buildsrs-missing.dll, which Windows does not have: refused (it imports ", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_build_whose_linker_swaps_in_a_binary_of_another_machine_is_refused()
    {
        // The build script puts a collect2 of its own on gcc's program path: it links as gcc's own would, then marks
        // the binary as an aarch64 one, which is what a build of the wrong architecture hands back.
        await registry.Cargo.PublishAsync("buildsrs-swapped", "1.0.0", buildRs: """
            use std::os::unix::fs::PermissionsExt;
            fn main() {
                let dir = std::path::Path::new("/tmp/buildsrs-swap");
                std::fs::create_dir_all(dir).unwrap();
                let linker = dir.join("collect2");
                std::fs::write(&linker, concat!(
                    "#!/bin/sh\n",
                    "$(ls /usr/lib/gcc/*/*/collect2 | head -n 1) \"$@\" || exit $?\n",
                    "out=; prev=; for a in \"$@\"; do [ \"$prev\" = -o ] && out=\"$a\"; prev=\"$a\"; done\n",
                    "printf '\\267\\000' | dd of=\"$out\" bs=1 seek=18 conv=notrunc 2>/dev/null\n")).unwrap();
                std::fs::set_permissions(&linker, std::fs::Permissions::from_mode(0o755)).unwrap();
                println!("cargo:rustc-link-arg-bins=-B/tmp/buildsrs-swap/");
            }
            """);

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("buildsrs-swapped", "1.0.0"));

        Assert.Equal(JobOutcome.BuildFailed, failure.Outcome);
        Assert.Equal("buildsrs-swapped is built for aarch64, not for x86-64 as x86_64-unknown-linux-gnu needs: refused", failure.Message);
    }

    [Fact]
    public async Task A_crate_that_needs_a_C_library_the_image_lacks_says_which()
    {
        await registry.Cargo.PublishAsync("buildsrs-needs-zstd", "1.0.0", buildRs: "fn main() { println!(\"cargo:rustc-link-lib=zstd\"); }\n");

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("buildsrs-needs-zstd", "1.0.0", "aarch64-unknown-linux-gnu"));

        Assert.Equal(JobOutcome.BuildFailed, failure.Outcome);
        Assert.StartsWith("the build needs the C library zstd for aarch64-unknown-linux-gnu, which the build image does not have", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multi_binary_crate_packs_every_binary_at_the_archive_root()
    {
        var artifact = await BuildAsync("protobuf-codegen", "2.27.1");

        var unpacked = await UnpackAsync(artifact);
        Assert.Equal(["protobuf-bin-gen-rust-do-not-use", "protoc-gen-rust"], Directory.GetFiles(unpacked).Select(Path.GetFileName).Order());
        Assert.Equal(artifact.Binaries.Order(), Directory.GetFiles(unpacked).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task A_crate_that_does_not_compile_is_a_build_failure_with_the_compiler_error()
    {
        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("zram-generator", "1.1.2"));

        Assert.Equal(JobOutcome.BuildFailed, failure.Outcome);
        Assert.Contains("error", failure.Message, StringComparison.Ordinal);
        Assert.NotEqual(0, failure.ExitCode);
    }

    [Fact]
    public async Task A_build_past_the_memory_limit_is_out_of_memory()
    {
        options.Sandbox.MemoryBytes = 384L * 1024 * 1024;
        options.Sandbox.TmpBytes = 256L * 1024 * 1024;
        await registry.Cargo.PublishAsync("buildsrs-hog", "1.0.0", buildRs: """
            fn main() {
                let mut blocks = Vec::new();
                for _ in 0..64 { blocks.push(vec![1u8; 32 * 1024 * 1024]); }
                println!("cargo:warning=kept {} blocks", blocks.len());
            }
            """);

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("buildsrs-hog", "1.0.0"));

        Assert.True(failure.Outcome == JobOutcome.OutOfMemory, $"{failure.Outcome} (exit {failure.ExitCode}): {failure.Message}");
        Assert.Equal("the build ran out of memory at 384 MiB", failure.Message);
    }

    [Fact]
    public async Task A_build_script_that_writes_endlessly_to_its_output_folder_is_a_disk_limit_not_out_of_memory()
    {
        options.Sandbox.MemoryBytes = 384L * 1024 * 1024;
        options.Sandbox.TmpBytes = 256L * 1024 * 1024;
        await registry.Cargo.PublishAsync("buildsrs-filler", "1.0.0", buildRs: """
            use std::io::Write;
            fn main() {
                let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("filler");
                let mut file = std::fs::File::create(path).unwrap();
                let block = vec![7u8; 1024 * 1024];
                loop { file.write_all(&block).unwrap(); }
            }
            """);

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("buildsrs-filler", "1.0.0"));

        Assert.Equal(JobOutcome.DiskLimit, failure.Outcome);
        Assert.StartsWith("the build ran out of disk space: it may use 256 MiB in /tmp", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_build_script_that_fills_the_host_folder_of_its_binaries_is_stopped_as_a_disk_limit()
    {
        options.Sandbox.OutputBytes = 64L * 1024 * 1024;
        await registry.Cargo.PublishAsync("buildsrs-out-filler", "1.0.0", buildRs: """
            use std::io::Write;
            fn main() {
                let mut file = std::fs::File::create("/out/filler").unwrap();
                let block = vec![7u8; 1024 * 1024];
                loop { file.write_all(&block).unwrap(); std::thread::sleep(std::time::Duration::from_millis(5)); }
            }
            """);
        var started = Stopwatch.GetTimestamp();

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("buildsrs-out-filler", "1.0.0"));

        Assert.Equal(JobOutcome.DiskLimit, failure.Outcome);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.FromMinutes(2));
    }

    [Theory]
    [InlineData(RepositoryPaths.HostTarget)]
    [InlineData("x86_64-pc-windows-gnu")]
    public async Task The_same_version_built_twice_from_its_lockfile_gives_the_same_archive_byte_for_byte_and_says_what_it_was_built_from(string target)
    {
        // Not hexyl: its dependency unicode-linebreak 0.1.4 generates tables in its build script with a randomly seeded
        // hash map, and about one build in seven gets another BREAK_PROP_TRIE_INDEX (the build's own doing, which a
        // verification reports as not reproduced). pulldown-cmark built seven times gave the same bytes each time.
        var first = await BuildAsync("pulldown-cmark", "0.9.2", target, folder: "first");
        var again = await BuildAsync("pulldown-cmark", "0.9.2", target, lockfile: first.Build.Lockfile, folder: "again");

        // The same inputs first, so that a difference in the bytes is known to come from the build itself.
        Assert.Equal((first.Build.Image, first.Build.Toolchain, first.Build.Lockfile), (again.Build.Image, again.Build.Toolchain, again.Build.Lockfile));
        Assert.Equal(first.Build.Binaries, again.Build.Binaries);
        Assert.Equal(first.Sha256, again.Sha256);
        Assert.Equal(first.Build, again.Build with { Binaries = first.Build.Binaries });
        Assert.Matches("^sha256:[0-9a-f]{64}$", first.Build.Image);
        Assert.StartsWith("rustc 1.", first.Build.Toolchain, StringComparison.Ordinal);
        Assert.Contains("name = \"memchr\"", first.Build.Lockfile, StringComparison.Ordinal);
        Assert.Equal(first.Sha256, first.Build.ArchiveSha256);
    }

    [Fact]
    public async Task A_build_script_that_embeds_the_time_gives_other_bytes_every_time()
    {
        await registry.Cargo.PublishAsync("buildsrs-clock", "1.0.0",
            mainRs: "fn main() { println!(\"built at {}\", include_str!(concat!(env!(\"OUT_DIR\"), \"/stamp\"))); }\n",
            buildRs: """
                fn main() {
                    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
                    std::fs::write(std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("stamp"), now.to_string()).unwrap();
                }
                """);

        var first = await BuildAsync("buildsrs-clock", "1.0.0", folder: "clock-first");
        var again = await BuildAsync("buildsrs-clock", "1.0.0", lockfile: first.Build.Lockfile, folder: "clock-again");

        Assert.NotEqual(first.Sha256, again.Sha256);
        Assert.NotEqual(first.Build.Binaries["buildsrs-clock"], again.Build.Binaries["buildsrs-clock"]);
    }

    [Fact]
    public async Task A_build_that_sleeps_past_its_time_limit_is_timed_out()
    {
        options.Sandbox.BuildTimeout = TimeSpan.FromSeconds(20);
        await registry.Cargo.PublishAsync("buildsrs-sleeper", "1.0.0", buildRs: "fn main() { std::thread::sleep(std::time::Duration::from_secs(3600)); }\n");
        var started = Stopwatch.GetTimestamp();

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("buildsrs-sleeper", "1.0.0"));

        Assert.Equal(JobOutcome.TimedOut, failure.Outcome);
        Assert.Equal("the build timed out after 20 s", failure.Message);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task A_build_script_cannot_reach_the_network_nor_the_registry_on_the_host()
    {
        await registry.Cargo.PublishAsync("buildsrs-phone-home", "1.0.0", buildRs: $$"""
            use std::net::TcpStream;
            fn main() {
                for address in ["1.1.1.1:80", "127.0.0.1:{{registry.Url.Port}}"] {
                    match TcpStream::connect(address) {
                        Ok(_) => panic!("reached {address}"),
                        Err(error) => eprintln!("could not reach {address}: {error}"),
                    }
                }
                panic!("no connection was possible");
            }
            """);

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("buildsrs-phone-home", "1.0.0"));

        Assert.Equal(JobOutcome.BuildFailed, failure.Outcome);
        // runc's kernel says the network is unreachable, gVisor's that there is no route to it.
        Assert.Matches("could not reach 1.1.1.1:80: (Network is unreachable|No route to host)", log.ToString());
        Assert.Contains($"could not reach 127.0.0.1:{registry.Url.Port}: Connection refused", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("no connection was possible", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_that_cannot_be_reached_while_fetching_is_an_infrastructure_error_not_the_crates_fault()
    {
        options.RegistryIndex = new Uri($"http://127.0.0.1:{FreePorts.Next()}/index/");

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("hexyl", "0.8.0"));

        Assert.Equal(JobOutcome.InfrastructureError, failure.Outcome);
        Assert.Contains("the registry could not be reached", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_build_that_leaves_a_pipe_and_a_link_in_its_install_folder_fails_at_once_and_the_builder_builds_the_next_crate()
    {
        // A read of the pipe would block the builder for good; the link would put a file of the builder's host in the
        // crate's public archive.
        await registry.Cargo.PublishAsync("buildsrs-leftovers", "1.0.0", buildRs: """
            fn main() {
                std::fs::create_dir_all("/out/bin").unwrap();
                let made = std::process::Command::new("mkfifo").arg("/out/bin/waiting").status().unwrap();
                assert!(made.success());
                std::os::unix::fs::symlink("/etc/passwd", "/out/bin/passwd").unwrap();
            }
            """);
        var started = Stopwatch.GetTimestamp();

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("buildsrs-leftovers", "1.0.0")).WaitAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(JobOutcome.BuildFailed, failure.Outcome);
        Assert.Equal("the build left a link in its install folder (bin/passwd), where only binaries belong: refused", failure.Message);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.FromMinutes(3));
        var next = await BuildAsync("xml-rs", "0.8.3", folder: "next");
        Assert.Equal(["xml-analyze"], next.Binaries);
    }

    [Fact]
    public async Task A_workspace_dependency_from_another_index_is_refused_before_cargo_asks_anything()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var crate = HandMadeCrates.Pack(
            HandMadeCrates.File("buildsrs-redirect-1.0.0/Cargo.toml", HandMadeCrates.Manifest("buildsrs-redirect", "1.0.0", $$"""
                [workspace.dependencies]
                memchr = { version = "2", registry-index = "sparse+http://127.0.0.1:{{port}}/index/" }
                [dependencies]
                memchr = { workspace = true }
                """)),
            HandMadeCrates.File("buildsrs-redirect-1.0.0/src/main.rs", "fn main() {}"));
        await registry.PublishHandMadeAsync("buildsrs-redirect", "1.0.0", crate);

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("buildsrs-redirect", "1.0.0"));

        Assert.Equal(JobOutcome.Rejected, failure.Outcome);
        Assert.StartsWith("dependency `memchr` in [workspace.dependencies] comes from a registry-index", failure.Message, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "the fetch reached the listener on the builder's host");
    }

    [Fact]
    public async Task A_fetch_that_asks_for_a_service_on_the_builders_host_gets_nothing_and_its_log_holds_nothing_of_it()
    {
        // What the source checks cannot see: a dependency whose own index line names another registry (a hand-made
        // index line, which the registry stores as it is given); cargo reads it while resolving and asks that registry.
        using var service = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        service.Start();
        var port = ((System.Net.IPEndPoint)service.LocalEndpoint).Port;
        var answered = AnswerWithSecretAsync(service);
        await registry.PublishHandMadeAsync("buildsrs-middle", "1.0.0", HandMadeCrates.Pack(
                HandMadeCrates.File("buildsrs-middle-1.0.0/Cargo.toml", HandMadeCrates.Manifest("buildsrs-middle", "1.0.0")),
                HandMadeCrates.File("buildsrs-middle-1.0.0/src/lib.rs", "")),
            $$"""[{"name":"memchr","version_req":"^2","features":[],"optional":false,"default_features":true,"kind":"normal","registry":"sparse+http://127.0.0.1:{{port}}/index/"}]""");
        await registry.PublishHandMadeAsync("buildsrs-reacher", "1.0.0", HandMadeCrates.Pack(
            HandMadeCrates.File("buildsrs-reacher-1.0.0/Cargo.toml", HandMadeCrates.Manifest("buildsrs-reacher", "1.0.0", "[dependencies]\nbuildsrs-middle = \"1\"\n")),
            HandMadeCrates.File("buildsrs-reacher-1.0.0/src/main.rs", "fn main() {}")));

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("buildsrs-reacher", "1.0.0"));

        Assert.Equal(JobOutcome.Rejected, failure.Outcome);
        Assert.Equal($"fetching dependencies tried to reach 127.0.0.1:{port}, which is not the registry: refused", failure.Message);
        Assert.False(answered.IsCompleted, "the fetch reached the service on the builder's host");
        Assert.DoesNotContain("buildsrs-secret", log.ToString(), StringComparison.Ordinal);
        Assert.Contains($"refused a connection to 127.0.0.1:{port}", log.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A service on the builder's host that hands a secret to whoever connects.</summary>
    private static async Task AnswerWithSecretAsync(System.Net.Sockets.TcpListener service)
    {
        using var client = await service.AcceptTcpClientAsync();
        var secret = "HTTP/1.1 200 OK\r\nContent-Length: 38\r\n\r\n{\"dl\":\"http://buildsrs-secret/\",\"x\":1}"u8.ToArray();
        await client.GetStream().WriteAsync(secret);
    }

    [Fact]
    public async Task A_crates_own_lockfile_that_names_a_git_source_is_refused_before_cargo_runs()
    {
        var crate = HandMadeCrates.Pack(
            HandMadeCrates.File("buildsrs-locked-1.0.0/Cargo.toml", HandMadeCrates.Manifest("buildsrs-locked", "1.0.0")),
            HandMadeCrates.File("buildsrs-locked-1.0.0/Cargo.lock", """
                version = 3
                [[package]]
                name = "buildsrs-locked"
                version = "1.0.0"
                [[package]]
                name = "evil"
                version = "1.0.0"
                source = "git+http://169.254.169.254/latest#0123456789abcdef"
                """),
            HandMadeCrates.File("buildsrs-locked-1.0.0/src/main.rs", "fn main() {}"));
        await registry.PublishHandMadeAsync("buildsrs-locked", "1.0.0", crate);

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => BuildAsync("buildsrs-locked", "1.0.0"));

        Assert.Equal(JobOutcome.Rejected, failure.Outcome);
        Assert.StartsWith("Cargo.lock has the package `evil` from git+http://169.254.169.254/latest", failure.Message, StringComparison.Ordinal);
        Assert.Empty(log.ToString());
    }

    private async Task<BuiltArtifact> BuildAsync(string crate, string version, string target = RepositoryPaths.HostTarget, string? lockfile = null,
        string? folder = null)
    {
        var path = BuildsRs.Contracts.Registry.IndexPath.For(crate);
        var lines = await http.GetStringAsync(new Uri(registry.SparseIndexUrl, path));
        var checksum = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(l => l.GetProperty("vers").GetString() == version).GetProperty("cksum").GetString()!;
        var job = new JobAssigned(1, JobKind.Binary, crate, version, new Uri(registry.Url, $"api/v1/crates/{crate}/{version}/download").ToString(),
            checksum, target, DateTimeOffset.UtcNow.AddHours(1), null, "token", Lockfile: lockfile, SourceDateEpoch: 1_700_000_000);
        var sandbox = new Sandbox(docker, Options.Create(options));
        var binaryJob = new BinaryJob(new CrateDownloader(http), sandbox,
            new BuildImages(docker, Options.Create(options), NullLogger<BuildImages>.Instance), new Toolchains(sandbox, Options.Create(options)),
            new RegistryHosts(http, Options.Create(options)), Options.Create(options));
        return await binaryJob.RunAsync(job, Path.Combine(work, folder ?? crate), (_, chunk) =>
        {
            lock (log)
            {
                log.Append(chunk);
            }
            return Task.CompletedTask;
        }, CancellationToken.None);
    }

    private async Task<string> UnpackAsync(BuiltArtifact artifact)
    {
        var unpacked = Path.Combine(work, "unpacked");
        Directory.CreateDirectory(unpacked);
        await using var file = File.OpenRead(artifact.Path);
        await TarFile.ExtractToDirectoryAsync(new GZipStream(file, CompressionMode.Decompress), unpacked, overwriteFiles: false);
        return unpacked;
    }
}
