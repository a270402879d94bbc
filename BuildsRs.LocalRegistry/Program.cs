using BuildsRs.LocalRegistry;
using BuildsRs.LocalRegistry.Seeding;

// `seed SOURCES OUTPUT` builds a registry from unpacked crate sources (run by provisioning); otherwise serve one.
if (args is ["seed", var sources, var output])
{
    return await RegistrySeeder.SeedAsync(sources, output, CancellationToken.None);
}

return await ServiceHost.RunAsync(() => LocalRegistryApp.CreateAsync(args));
