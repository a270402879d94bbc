using System.Net;

namespace BuildsRs.Builder.Jobs;

/// <summary>A host and port the fetch may reach, compared as cargo's curl names them: an IP address in its canonical
/// form, a name without case or a trailing dot.</summary>
public sealed record RegistryHost(string Host, int Port)
{
    public static RegistryHost Of(string host, int port) =>
        new(IPAddress.TryParse(host.Trim('[', ']'), out var address) ? address.ToString() : host.TrimEnd('.').ToLowerInvariant(), port);

    public static RegistryHost Of(Uri url) => Of(url.Host, url.Port);

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
