using System.Text.RegularExpressions;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using BuildsRs.ServiceDefaults;
using BuildsRs.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Builders;

/// <summary>
/// Adds the hosts of <see cref="BuilderFleetOptions.Hosts"/> once the schema is current (it starts after the migrator),
/// and gives a known one the token configured now: changing the setting rotates the token. Whether a host is enabled
/// stays the operator's say.
/// </summary>
internal sealed partial class ConfiguredBuilderHosts(IServiceProvider services, IOptions<BuilderFleetOptions> options) : IHostedService
{
    public const int MinTokenLength = 16;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var hosts = options.Value.Hosts;
        if (hosts.FirstOrDefault(h => InvalidName(h.Key) is not null || h.Value.Length < MinTokenLength) is { Key: not null } invalid)
        {
            throw new InvalidSettingException(InvalidName(invalid.Key) is { } why
                ? $"{BuilderFleetOptions.SectionName}:Hosts:{invalid.Key}: {why}"
                : $"{BuilderFleetOptions.SectionName}:Hosts:{invalid.Key} needs a token of at least {MinTokenLength} characters");
        }
        if (hosts.Values.Distinct(StringComparer.Ordinal).Count() < hosts.Count)
        {
            throw new InvalidSettingException($"{BuilderFleetOptions.SectionName}:Hosts gives two hosts one token: each host needs its own");
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BuildsRsDbContext>();
        var names = hosts.Keys.ToList();
        await StartupLock.WriteAsync(db, async cancel =>
        {
            var known = await db.BuilderHosts.Where(h => names.Contains(h.Name)).ToDictionaryAsync(h => h.Name, cancel);
            foreach (var (name, token) in hosts)
            {
                if (known.TryGetValue(name, out var host))
                {
                    host.TokenSha256 = BearerTokenHash.Of(token);
                }
                else
                {
                    db.BuilderHosts.Add(new BuilderHost { Name = name, TokenSha256 = BearerTokenHash.Of(token), Enabled = true });
                }
            }
        }, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Null when <paramref name="name"/> can name a host, else why not.</summary>
    public static string? InvalidName(string? name) =>
        name is not null && NamePattern().IsMatch(name) ? null : "a host's name is 1 to 100 letters, digits, '.', '_' or '-'";

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex NamePattern();
}
