using BuildsRs.Api.Infrastructure;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Builders;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Targets;

/// <summary>Enables <see cref="TargetOptions.Enabled"/> and sets <see cref="TargetOptions.Images"/> once the schema is
/// current (it starts after the migrator).</summary>
internal sealed class EnabledTargets(IServiceProvider services, IOptions<TargetOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var wanted = options.Value.Enabled;
        if (wanted.FirstOrDefault(t => !TargetTriple.IsValid(t)) is { } invalid)
        {
            throw new InvalidSettingException($"Targets:Enabled has '{invalid}', which is not a target triple");
        }
        var images = options.Value.Images;
        if (images.FirstOrDefault(i => !wanted.Contains(i.Key) || i.Value.Any(image => !ImageId.IsValid(image))) is { Key: not null } unknown)
        {
            throw new InvalidSettingException(wanted.Contains(unknown.Key)
                ? $"Targets:Images:{unknown.Key} has a value that is not a Docker image ID (sha256:...)"
                : $"Targets:Images:{unknown.Key} names a target that Targets:Enabled does not");
        }
        if (wanted.Length == 0)
        {
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BuildsRsDbContext>();
        await StartupLock.WriteAsync(db, async cancel =>
        {
            var known = await db.Targets.Where(t => wanted.Contains(t.Triple)).ToListAsync(cancel);
            foreach (var triple in wanted.Except(known.Select(t => t.Triple)))
            {
                var target = new Target { Triple = triple };
                db.Targets.Add(target);
                known.Add(target);
            }
            foreach (var target in known)
            {
                target.Enabled = true;
                target.Images = images.TryGetValue(target.Triple, out var ids) ? [.. ids.Distinct(StringComparer.Ordinal)] : target.Images;
            }
        }, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
