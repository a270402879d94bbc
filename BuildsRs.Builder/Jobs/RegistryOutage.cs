using System.Text.RegularExpressions;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// Tells a fetch that failed because the registry could not be reached (the builder's or the registry's fault, worth
/// another try) from one that failed because the crate's dependencies cannot be resolved (the crate's own fault).
/// </summary>
public static partial class RegistryOutage
{
    /// <summary>
    /// cargo reports transport failures with curl's error number: [5]/[6] name resolution, [7] connection,
    /// [28] timeout, [35] TLS, [52]/[55]/[56] a connection that broke; and server errors as a 5xx status.
    /// </summary>
    [GeneratedRegex(@"\[(5|6|7|28|35|52|55|56)\] |failed to get successful HTTP response from `[^`]*`.*, got 5\d\d|spurious network error")]
    private static partial Regex TransportFailure();

    public static bool IsIn(string cargoOutput) => TransportFailure().IsMatch(cargoOutput);
}
