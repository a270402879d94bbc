using System.Net.Http.Json;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Contracts.Registry;
using Microsoft.Extensions.Options;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// The hosts a fetch may reach (see <see cref="FetchProxy"/>): the registry's index, the host its <c>config.json</c>
/// names for downloads, and <see cref="BuilderOptions.RegistryHosts"/> (hosts its downloads redirect to). Read once,
/// when the first fetch needs them.
/// </summary>
public sealed class RegistryHosts(HttpClient http, IOptions<BuilderOptions> options)
{
    /// <summary>crates.io's sparse index, cargo's own default.</summary>
    public static readonly Uri CratesIoIndex = new("https://index.crates.io/");

    private IReadOnlySet<RegistryHost>? known;

    public async Task<IReadOnlySet<RegistryHost>> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref known) is { } hosts)
        {
            return hosts;
        }
        var index = options.Value.RegistryIndex ?? CratesIoIndex;
        RegistryConfig? config;
        try
        {
            config = await http.GetFromJsonAsync(new Uri(index, "config.json"), RegistryJsonContext.Default.RegistryConfig, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new JobFailedException(JobOutcome.InfrastructureError, $"the registry could not be reached: {index}config.json: {ex.Message}");
        }
        var allowed = new HashSet<RegistryHost> { RegistryHost.Of(index) };
        if (config is not null && Uri.TryCreate(config.Dl, UriKind.Absolute, out var downloads))
        {
            allowed.Add(RegistryHost.Of(downloads));
        }
        allowed.UnionWith(options.Value.RegistryHosts.Select(url => RegistryHost.Of(url)));
        Volatile.Write(ref known, allowed);
        return allowed;
    }
}
