using System.Net.Http.Json;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Contracts.Registry;
using Microsoft.Extensions.Options;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// The hosts a fetch may reach (see <see cref="FetchProxy"/>), each with the address this builder connects to for it:
/// the registry's index, the host its <c>config.json</c> names for downloads, and
/// <see cref="BuilderOptions.RegistryHosts"/> (hosts its downloads redirect to), through
/// <see cref="BuilderOptions.RegistryConnectTo"/>. Read once, when the first fetch needs them.
/// </summary>
public sealed class RegistryHosts(HttpClient http, IOptions<BuilderOptions> options)
{
    /// <summary>crates.io's sparse index, cargo's own default.</summary>
    public static readonly Uri CratesIoIndex = new("https://index.crates.io/");

    private IReadOnlyDictionary<RegistryHost, RegistryHost>? known;

    /// <returns>Each host cargo may ask for, with the address to connect to for it.</returns>
    public async Task<IReadOnlyDictionary<RegistryHost, RegistryHost>> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref known) is { } hosts)
        {
            return hosts;
        }
        var connectTo = options.Value.RegistryConnectTo.Select(ParseConnectTo).OfType<(RegistryHost Asked, RegistryHost Reached)>()
            .ToDictionary(m => m.Asked, m => m.Reached);
        RegistryHost Reached(RegistryHost asked) => connectTo.GetValueOrDefault(asked, asked);

        var index = options.Value.RegistryIndex ?? CratesIoIndex;
        var reachedIndex = Reached(RegistryHost.Of(index));
        var config = new UriBuilder(new Uri(index, "config.json")) { Host = reachedIndex.Host, Port = reachedIndex.Port }.Uri;
        RegistryConfig? read;
        try
        {
            read = await http.GetFromJsonAsync(config, RegistryJsonContext.Default.RegistryConfig, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new JobFailedException(JobOutcome.InfrastructureError, $"the registry could not be reached: {config}: {ex.Message}");
        }
        var allowed = new List<RegistryHost> { RegistryHost.Of(index) };
        if (read is not null && Uri.TryCreate(read.Dl, UriKind.Absolute, out var downloads))
        {
            allowed.Add(RegistryHost.Of(downloads));
        }
        allowed.AddRange(options.Value.RegistryHosts.Select(url => RegistryHost.Of(url)));
        var result = allowed.Distinct().ToDictionary(asked => asked, Reached);
        Volatile.Write(ref known, result);
        return result;
    }

    /// <summary>A <c>host:port=host:port</c> mapping; null when it is not one.</summary>
    public static (RegistryHost Asked, RegistryHost Reached)? ParseConnectTo(string mapping) =>
        mapping.Split('=') is [var asked, var reached] && ParseAddress(asked) is { } from && ParseAddress(reached) is { } to ? (from, to) : null;

    private static RegistryHost? ParseAddress(string address) =>
        Uri.TryCreate($"http://{address.Trim()}", UriKind.Absolute, out var url) && url.Authority.EndsWith($":{url.Port}", StringComparison.Ordinal)
            ? RegistryHost.Of(url)
            : null;
}
