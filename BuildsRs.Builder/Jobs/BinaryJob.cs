using System.Security.Cryptography;
using BuildsRs.Builder.Infrastructure;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using Microsoft.Extensions.Options;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// Builds a crate's binaries in two sandboxed phases: (1) resolve and vendor the dependencies, with network, from the
/// registry alone (see <see cref="ManifestSources"/>), running none of the crate's code; (2) <c>cargo install</c>
/// offline from the vendored sources, with no network at all. The binaries are packed at the root of
/// <c>{crate}-{version}-{target}.tar.gz</c>, the same bytes for the same inputs: the crate, its <c>Cargo.lock</c>
/// (the one the Api gives once the version was built, so that dependencies cannot drift), the image and the settings.
/// </summary>
public sealed class BinaryJob(CrateDownloader downloader, Sandbox sandbox, BuildImages images, Toolchains toolchains, RegistryHosts registryHosts,
    IOptions<BuilderOptions> options)
{
    public async Task<BuiltArtifact> RunAsync(JobAssigned job, string work, Func<string, string, Task> log, CancellationToken cancellationToken)
    {
        var limits = options.Value.Sandbox;
        var target = job.Target!;
        var image = await images.IdForAsync(target, job.Image, cancellationToken);
        var crate = await downloader.DownloadAsync(job.DownloadUrl, job.Checksum, cancellationToken);
        string source;
        using (BuilderTelemetry.StartStep("unpack"))
        {
            source = CrateUnpacker.Unpack(crate, job.Crate, job.Version, Path.Combine(work, "src"), cancellationToken);
            ManifestSources.Check(Path.Combine(source, "Cargo.toml"));
            if (job.Lockfile is { } lockfile)
            {
                File.Delete(Path.Combine(source, "Cargo.lock"));
                await File.WriteAllTextAsync(Path.Combine(source, "Cargo.lock"), lockfile, cancellationToken);
            }
            if (HostFiles.KindOf(Path.Combine(source, "Cargo.lock")) == HostFiles.Kind.Regular)
            {
                ManifestSources.CheckLockfile(await HostFiles.ReadTextAsync(Path.Combine(source, "Cargo.lock"), MaxLockfileBytes, cancellationToken),
                    "Cargo.lock", job.Crate, job.Version);
            }
        }
        // What a build script may read of the time, and no incremental state whatever the crate's profile says. One
        // codegen unit per crate: with several, rustc now and then gives other bytes for the same inputs
        // (rust-lang/rust#128675), which a second builder would report as not reproduced.
        string[] environment = [$"SOURCE_DATE_EPOCH={job.SourceDateEpoch}", "CARGO_INCREMENTAL=0", "CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1"];
        var vendor = WritableBySandbox(Path.Combine(work, "vendor"));
        var output = WritableBySandbox(Path.Combine(work, "out"));

        SandboxRun fetch;
        string? registryUnreachable;
        IReadOnlyList<string> refused;
        using (BuilderTelemetry.StartStep("fetch"))
        {
            var registry = await registryHosts.GetAsync(cancellationToken);
            RefuseLinks(work, "the crate", cancellationToken);
            var proxyFolder = Path.Combine(work, "proxy");
            await using var proxy = FetchProxy.Start(proxyFolder, registry, chunk => log("fetch", chunk));
            fetch = await sandbox.RunAsync(image, ["sh", "-c", FetchScript(options.Value.RegistryIndex, throughProxy: true)],
                [$"{source}:/src:ro", $"{vendor}:/vendor", $"{proxyFolder}:{FetchProxy.SandboxFolder}:ro"],
                limits.FetchTimeout, cancellationToken, onOutput: chunk => log("fetch", chunk), environment: environment);
            (registryUnreachable, refused) = (proxy.RegistryUnreachable, [.. proxy.Refused.Distinct()]);
        }
        if (fetch is { ExitCode: not 0, TimedOut: false, Silent: false, OutOfMemory: false, DiskFull: false })
        {
            if (registryUnreachable is not null || RegistryOutage.IsIn(fetch.Stderr))
            {
                throw new JobFailedException(JobOutcome.InfrastructureError,
                    $"the registry could not be reached: {registryUnreachable ?? Tail(fetch.Stderr)}", fetch.ExitCode);
            }
            if (refused.Count > 0)
            {
                throw new JobFailedException(JobOutcome.Rejected,
                    $"fetching dependencies tried to reach {string.Join(", ", refused.Take(5))}, which is not the registry: refused", fetch.ExitCode);
            }
        }
        Classify(fetch, "fetching dependencies", limits, limits.FetchTimeout);
        // Written in the fetch phase, where no code of the crate runs: the build cannot change what it reports.
        var lockfileUsed = await HostFiles.ReadTextAsync(Path.Combine(vendor, "Cargo.lock"), MaxLockfileBytes, cancellationToken);
        ManifestSources.CheckLockfile(lockfileUsed, "the resolved Cargo.lock", job.Crate, job.Version);

        SandboxRun build;
        using (BuilderTelemetry.StartStep("build"))
        {
            RefuseLinks(work, "fetching dependencies", cancellationToken);
            build = await sandbox.RunAsync(image, ["sh", "-c", BuildScript(target, job.Settings)], [$"{source}:/src:ro", $"{vendor}:/vendor:ro", $"{output}:/out"],
                limits.BuildTimeout, cancellationToken, onOutput: chunk => log("build", chunk), outputFolder: output, environment: environment);
        }
        if (build is { ExitCode: not 0, TimedOut: false, Silent: false, OutOfMemory: false, DiskFull: false } && MissingLibrary.In(build.Stderr) is { } library)
        {
            throw new JobFailedException(JobOutcome.BuildFailed,
                $"the build needs the C library {library} for {target}, which the build image does not have: {Tail(build.Stderr)}", build.ExitCode);
        }
        Classify(build, "the build", limits, limits.BuildTimeout);

        var binaries = InstalledBinaries.Collect(Path.Combine(output, "bin"), Path.Combine(work, "binaries"), limits.OutputBytes, cancellationToken);
        if (binaries.Count == 0)
        {
            throw new JobFailedException(JobOutcome.NoBinaries, "the build succeeded but installed no binary");
        }
        using var package = BuilderTelemetry.StartStep("package");
        var platform = PlatformOf(binaries, target);
        var archive = Path.Combine(work, ArtifactNames.Archive(job.Crate, job.Version, target));
        ReproducibleArchive.Pack(binaries, archive, DateTimeOffset.FromUnixTimeSeconds(job.SourceDateEpoch));
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var binary in binaries)
        {
            await using var file = File.OpenRead(binary);
            hashes[Path.GetFileName(binary)] = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
        }
        await using var stream = File.OpenRead(archive);
        var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        var record = new BuildRecord(image, await toolchains.OfAsync(image, cancellationToken), lockfileUsed, sha256, hashes);
        return new BuiltArtifact(archive, stream.Length, sha256, [.. hashes.Keys], platform, record);
    }

    /// <summary>
    /// A Linux target's binaries must be ELF executables of its machine, a Windows target's PE executables (a build
    /// that swapped in another one is refused); the archive runs where its most demanding binary runs.
    /// </summary>
    public static BinaryPlatform? PlatformOf(IReadOnlyList<string> binaries, string target) =>
        target.Contains("-windows-", StringComparison.Ordinal) ? WindowsPlatformOf(binaries, target)
        : target.Contains("-linux-", StringComparison.Ordinal) ? LinuxPlatformOf(binaries, target)
        : null;

    private static BinaryPlatform LinuxPlatformOf(IReadOnlyList<string> binaries, string target)
    {
        var read = new List<ElfBinary>();
        foreach (var binary in binaries)
        {
            var elf = ReadHeaders(binary, ElfBinary.Read, "an ELF", target);
            RefuseOtherMachine(binary, elf.Machine, target);
            read.Add(elf);
        }
        var glibc = read.Select(e => e.Glibc).Max();
        return new BinaryPlatform(read[0].Machine, read.All(e => e.Static) ? "static" : "dynamic", glibc?.ToString());
    }

    /// <summary>A Windows binary may import only DLLs that every Windows has: one that needs another (a MinGW runtime
    /// DLL, a C library's) would not start on a clean machine.</summary>
    private static BinaryPlatform WindowsPlatformOf(IReadOnlyList<string> binaries, string target)
    {
        var read = new List<PeBinary>();
        foreach (var binary in binaries)
        {
            var pe = ReadHeaders(binary, PeBinary.Read, "a PE", target);
            RefuseOtherMachine(binary, pe.Machine, target);
            if (pe.Dlls.FirstOrDefault(dll => !WindowsSystemDlls.Has(dll)) is { } missing)
            {
                throw new JobFailedException(JobOutcome.BuildFailed,
                    $"{Path.GetFileName(binary)} needs {missing}, which Windows does not have: refused (it imports {string.Join(", ", pe.Dlls)})");
            }
            read.Add(pe);
        }
        var subsystems = read.Select(p => p.Subsystem).Distinct().ToList();
        return new BinaryPlatform(read[0].Machine, "dynamic", null, subsystems.Count == 1 ? subsystems[0] : "mixed",
            [.. read.SelectMany(p => p.Dlls).Distinct().Order(StringComparer.Ordinal)]);
    }

    private static T ReadHeaders<T>(string binary, Func<string, T?> read, string format, string target) where T : class
    {
        var name = Path.GetFileName(binary);
        T? headers;
        try
        {
            headers = read(binary);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new JobFailedException(JobOutcome.BuildFailed, $"{name} is not {format} executable that can be read: {ex.Message}");
        }
        return headers ?? throw new JobFailedException(JobOutcome.BuildFailed, $"{name} is not {format} executable, which a {target} binary must be");
    }

    private static void RefuseOtherMachine(string binary, string machine, string target)
    {
        if (TargetTriple.MachineOf(target) is { } expected && machine != expected)
        {
            throw new JobFailedException(JobOutcome.BuildFailed, $"{Path.GetFileName(binary)} is built for {machine}, not for {expected} as {target} needs: refused");
        }
    }

    /// <summary>The registry as cargo's only source, reached through the fetch's proxy; git fetches go through the git
    /// CLI, which the image does not have.</summary>
    private static string RegistryConfig(Uri? registryIndex, bool throughProxy) =>
        $"--config net.git-fetch-with-cli=true {(throughProxy ? FetchProxy.CargoSetting : "")} " + (registryIndex is { } index
        ? $"--config 'source.crates-io.replace-with=\"upstream\"' --config 'source.upstream.registry=\"sparse+{index}\"'"
        : "");

    /// <summary>
    /// Phase 1, run in /tmp with the crate at /src (read-only) and a writable /vendor: lockfile and vendored sources;
    /// cargo runs no build script or other code of the crate here. <paramref name="throughProxy"/>: cargo reaches the
    /// registry through the <see cref="FetchProxy"/> bound at its folder (the build overhead benchmark's bare run, on
    /// the host's network, does not).
    /// </summary>
    public static string FetchScript(Uri? registryIndex, bool throughProxy) => $"""
        set -e
        cp -r /src /tmp/src && cd /tmp/src
        [ -f Cargo.lock ] || cargo generate-lockfile {RegistryConfig(registryIndex, throughProxy)}
        cargo vendor --locked --respect-source-config {RegistryConfig(registryIndex, throughProxy)} /vendor/crates > /dev/null
        cp Cargo.lock /vendor/Cargo.lock
        """;

    /// <summary>
    /// Phase 2, offline, from /src and /vendor (both read-only), for <paramref name="target"/> (whose standard library
    /// and linker the image has); the binaries land in /out/bin.
    /// </summary>
    public static string BuildScript(string target, BuildSettings? settings)
    {
        var flags = new List<string>();
        if (settings?.Features is { Count: > 0 } features)
        {
            flags.Add($"--features '{string.Join(',', features.Where(IsPlainName))}'");
        }
        if (settings?.NoDefaultFeatures == true)
        {
            flags.Add("--no-default-features");
        }
        flags.AddRange((settings?.Bins ?? []).Where(IsPlainName).Select(bin => $"--bin '{bin}'"));
        return $"""
            set -e
            cp -r /src /tmp/src && cp /vendor/Cargo.lock /tmp/src/Cargo.lock
            cargo install --path /tmp/src --locked --offline --root /out --target-dir /tmp/target --target '{target}' \
              --config 'source.crates-io.replace-with="vendored"' --config 'source.vendored.directory="/vendor/crates"' \
              {string.Join(' ', flags)}
            """;
    }

    /// <summary>Feature and binary names go into a shell line: only the characters cargo allows in them pass.</summary>
    private static bool IsPlainName(string name) => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '/' or '+' or '.');

    private static void Classify(SandboxRun run, string phase, SandboxLimits limits, TimeSpan timeout)
    {
        if (run.Silent)
        {
            throw new JobFailedException(JobOutcome.NoOutput, $"{phase} printed nothing for {SandboxLimits.Describe(limits.NoOutputTimeout)}", run.ExitCode);
        }
        if (run.OutOfMemory)
        {
            throw new JobFailedException(JobOutcome.OutOfMemory, $"{phase} ran out of memory at {SandboxLimits.Describe(limits.MemoryBytes)}", run.ExitCode);
        }
        if (run.DiskFull)
        {
            throw new JobFailedException(JobOutcome.DiskLimit,
                $"{phase} ran out of disk space: it may use {SandboxLimits.Describe(limits.TmpBytes)} in /tmp and write {SandboxLimits.Describe(limits.OutputBytes)} of output", run.ExitCode);
        }
        if (run.TimedOut)
        {
            throw new JobFailedException(JobOutcome.TimedOut, $"{phase} timed out after {SandboxLimits.Describe(timeout)}", run.ExitCode);
        }
        if (run.ExitCode != 0)
        {
            throw new JobFailedException(JobOutcome.BuildFailed, $"{phase} failed (exit {run.ExitCode}): {Tail(run.Stderr)}", run.ExitCode);
        }
    }

    private static string Tail(string output) => output.Length <= 4000 ? output : output[^4000..];

    /// <summary>A lockfile larger than this is not one cargo wrote for a crate's dependencies.</summary>
    private const long MaxLockfileBytes = 16L * 1024 * 1024;

    /// <summary>
    /// A new host folder the sandbox's unprivileged user (<see cref="Sandbox.SandboxUser"/>) may write to. It must not
    /// exist yet: its permissions are set on the folder made here, never through a link someone else left in its place.
    /// </summary>
    private static string WritableBySandbox(string path)
    {
        if (HostFiles.KindOf(path) != HostFiles.Kind.Missing)
        {
            throw new IOException($"{path} exists already");
        }
        Directory.CreateDirectory(path);
        if (HostFiles.KindOf(path) != HostFiles.Kind.Directory)
        {
            throw new IOException($"{path} is not the folder that was made");
        }
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        return path;
    }

    /// <summary>Far more files than a crate and its vendored dependencies hold; the walks of a job's folder stop there.</summary>
    private const int MaxJobFolderEntries = 500_000;

    /// <summary>
    /// No link may be in the job's folder when a sandbox starts: the sandbox sees the folder through bind mounts, and a
    /// link there would point it, or the builder reading after it, at whatever the link names on the host.
    /// </summary>
    private static void RefuseLinks(string work, string after, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> links;
        try
        {
            links = FolderWalk.Links(work, MaxJobFolderEntries, cancellationToken);
        }
        catch (TooManyEntriesException)
        {
            throw new JobFailedException(JobOutcome.Rejected, $"{after} left more than {MaxJobFolderEntries} files in the job's folder: refused");
        }
        if (links is [var first, ..])
        {
            throw new JobFailedException(JobOutcome.Rejected, $"{after} left {links.Count} link(s) in the job's folder, such as {first}: refused");
        }
    }

}

public sealed record BuiltArtifact(string Path, long Size, string Sha256, IReadOnlyList<string> Binaries, BinaryPlatform? Platform, BuildRecord Build);
