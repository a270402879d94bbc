namespace BuildsRs.Tests.Fixtures;

/// <summary>
/// Runs a target's binary on this x86-64 machine: natively, or under qemu-user with the target's C library from
/// Debian's cross packages (provisioning/packages.sh installs both).
/// </summary>
public static class TargetBinaries
{
    public static Task<(int ExitCode, string Output, string Errors)> RunAsync(string target, string binary, params string[] arguments) =>
        target.Split('-')[0] switch
        {
            "x86_64" => Processes.RunAsync(binary, arguments),
            "aarch64" => Processes.RunAsync("qemu-aarch64", ["-L", "/usr/aarch64-linux-gnu", binary, .. arguments]),
            "i686" => Processes.RunAsync("qemu-i386", ["-L", "/usr/i686-linux-gnu", binary, .. arguments]),
            var other => throw new NotSupportedException($"no way to run {other} binaries here"),
        };
}
