using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Builder;

/// <summary>Hard limits of a sandboxed build: untrusted code gets no network, no root and bounded resources.</summary>
public sealed class SandboxLimits
{
    /// <summary>The Docker runtime sandboxes run in; empty for the engine's default (runc). <c>runsc</c> (gVisor)
    /// puts a kernel of its own between a build and the host's; the engine must have it registered with
    /// <c>--network=none</c> and <c>--host-uds=open</c> (the fetch's socket), as provisioning does.</summary>
    public string? Runtime { get; set; }

    [Range(64L * 1024 * 1024, 64L * 1024 * 1024 * 1024)]
    public long MemoryBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    [Range(0.1, 64)]
    public double Cpus { get; set; } = 2;

    [Range(16, 65536)]
    public long Pids { get; set; } = 1024;

    /// <summary>The writable, executable scratch space (/tmp, where the build's target folder lives). Its pages are
    /// memory, so the container's memory limit is <see cref="MemoryBytes"/> plus this: a build that fills /tmp gets
    /// "no space left on device" (a disk limit), and one whose processes need more than <see cref="MemoryBytes"/> is
    /// out of memory, whatever /tmp holds.</summary>
    [Range(16L * 1024 * 1024, 64L * 1024 * 1024 * 1024)]
    public long TmpBytes { get; set; } = 3L * 1024 * 1024 * 1024;

    /// <summary>How much a build may write to its output folder (a folder of the builder's host): past it, the build is
    /// stopped as a disk limit.</summary>
    [Range(1L * 1024 * 1024, 64L * 1024 * 1024 * 1024)]
    public long OutputBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    [Range(typeof(TimeSpan), "00:00:05", "06:00:00")]
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Resolving and downloading dependencies (the only phase with network, and it runs no crate code).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "06:00:00")]
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromMinutes(10);

    [Range(typeof(TimeSpan), "00:00:05", "06:00:00")]
    public TimeSpan BuildTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A build that prints nothing for this long is stopped (a hang, not a slow build).</summary>
    [Range(typeof(TimeSpan), "00:00:02", "06:00:00")]
    public TimeSpan NoOutputTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A memory limit as people read it in an outcome: "2 GiB", "384 MiB".</summary>
    public static string Describe(long bytes) => bytes % (1L << 30) == 0
        ? $"{bytes >> 30} GiB"
        : FormattableString.Invariant($"{bytes / (double)(1L << 20):0.#} MiB");

    /// <summary>A time limit as people read it in an outcome: "30 min", "20 s", "1 h 30 min".</summary>
    public static string Describe(TimeSpan limit) => limit switch
    {
        { TotalMinutes: < 1 } => FormattableString.Invariant($"{limit.TotalSeconds:0} s"),
        { TotalHours: < 1 } => FormattableString.Invariant($"{limit.TotalMinutes:0.#} min"),
        { Minutes: 0 } => FormattableString.Invariant($"{limit.TotalHours:0} h"),
        _ => FormattableString.Invariant($"{(int)limit.TotalHours} h {limit.Minutes} min"),
    };
}
