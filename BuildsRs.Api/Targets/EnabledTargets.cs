using BuildsRs.Contracts;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Targets;

/// <summary>Enables <see cref="TargetOptions.Enabled"/> once the schema is current (it starts after the migrator).</summary>
internal sealed class EnabledTargets(IServiceProvider services, IOptions<TargetOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var wanted = options.Value.Enabled;
        if (wanted.FirstOrDefault(t => !TargetTriple.IsValid(t)) is { } invalid)
        {
            throw new InvalidSettingException($"Targets:Enabled has '{invalid}', which is not a target triple");
        }
        if (wanted.Length == 0)
        {
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BuildsRsDbContext>();
        var known = await db.Targets.Where(t => wanted.Contains(t.Triple)).ToListAsync(cancellationToken);
        foreach (var triple in wanted.Except(known.Select(t => t.Triple)))
        {
            db.Targets.Add(new Target { Triple = triple, Enabled = true });
        }
        known.ForEach(t => t.Enabled = true);
        await db.SaveChangesAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
