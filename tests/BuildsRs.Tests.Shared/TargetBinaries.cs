namespace BuildsRs.Tests.Fixtures;

/// <summary>
/// Runs a target's binary on this x86-64 machine: natively, under qemu-user with the target's C library from Debian's
/// cross packages (provisioning/packages.sh installs both), or a Windows one under wine 10 in the image
/// provisioning/wine-image.sh makes (wine stays off the host).
/// </summary>
public static class TargetBinaries
{
    public static Task<(int ExitCode, string Output, string Errors)> RunAsync(string target, string binary, params string[] arguments) =>
        target.Contains("-windows-", StringComparison.Ordinal) ? UnderWineAsync(binary, arguments)
        : target.Split('-')[0] switch
        {
            "x86_64" => Processes.RunAsync(binary, arguments),
            "aarch64" => Processes.RunAsync("qemu-aarch64", ["-L", "/usr/aarch64-linux-gnu", binary, .. arguments]),
            "armv7" => Processes.RunAsync("qemu-arm", ["-L", "/usr/arm-linux-gnueabihf", binary, .. arguments]),
            "i686" => Processes.RunAsync("qemu-i386", ["-L", "/usr/i686-linux-gnu", binary, .. arguments]),
            "powerpc64le" => Processes.RunAsync("qemu-ppc64le", ["-L", "/usr/powerpc64le-linux-gnu", binary, .. arguments]),
            "s390x" => Processes.RunAsync("qemu-s390x", ["-L", "/usr/s390x-linux-gnu", binary, .. arguments]),
            var other => throw new NotSupportedException($"no way to run {other} binaries here"),
        };

    /// <summary>The wine image's tag, as provisioning recorded it.</summary>
    public static string WineImage => File.ReadAllText(Path.Combine(RepositoryPaths.StateDirectory, "wine-image")).Trim();

    /// <summary>The binary's folder, and that of every argument naming a file of this machine, are mounted read-only;
    /// such arguments are given as the paths wine sees them at.</summary>
    private static Task<(int ExitCode, string Output, string Errors)> UnderWineAsync(string binary, string[] arguments)
    {
        List<string> run = ["run", "--rm", "--network", "none", "-v", $"{Path.GetDirectoryName(binary)}:/work/bin:ro"];
        var given = new List<string>();
        for (var i = 0; i < arguments.Length; i++)
        {
            if (File.Exists(arguments[i]))
            {
                run.AddRange(["-v", $"{Path.GetDirectoryName(Path.GetFullPath(arguments[i]))}:/work/arg{i}:ro"]);
                given.Add($"/work/arg{i}/{Path.GetFileName(arguments[i])}");
            }
            else
            {
                given.Add(arguments[i]);
            }
        }
        return Processes.RunAsync("docker", [.. run, WineImage, "wine64", $"/work/bin/{Path.GetFileName(binary)}", .. given]);
    }
}
