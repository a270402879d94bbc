using System.Globalization;
using BuildsRs.Benchmarks.Builds;
using BuildsRs.Benchmarks.Capacity;
using BuildsRs.Benchmarks.PublicApi;
using BuildsRs.Benchmarks.Queue;
using BuildsRs.Benchmarks.Registry;

// Benchmarks print figures; they are not tests. See benchmarks/*.sh for how each is run.
return args switch
{
    ["registry", var importDatabase, var floorDatabase, var work, var crates, var versions] =>
        await RegistrySyncBenchmark.RunAsync(importDatabase, floorDatabase, work,
            int.Parse(crates, CultureInfo.InvariantCulture), int.Parse(versions, CultureInfo.InvariantCulture)),
    ["sync", var database, var index, var work] => await SyncPassCommand.RunAsync(database, index, work),
    ["queue", var api, var database, var enrollmentToken, var jobs, var builders, var batch, var rate, var pgbench, var work] =>
        await JobQueueBenchmark.RunAsync(new Uri(api), database, enrollmentToken, int.Parse(jobs, CultureInfo.InvariantCulture),
            int.Parse(builders, CultureInfo.InvariantCulture), int.Parse(batch, CultureInfo.InvariantCulture), int.Parse(rate, CultureInfo.InvariantCulture), pgbench, work),
    ["build-overhead", var database, var registry, var image, var work, var repetitions, .. var crossTargets] =>
        await BuildOverheadBenchmark.RunAsync(database, new Uri(registry.TrimEnd('/') + "/"), image, work, int.Parse(repetitions, CultureInfo.InvariantCulture), crossTargets),
    ["log-flood", var database, var registry, var publishToken, var api, var apiProcess, var web, var lines, var minutes] =>
        await LogFloodBenchmark.RunAsync(database, new Uri(registry.TrimEnd('/') + "/"), publishToken, new Uri(api.TrimEnd('/') + "/"), int.Parse(apiProcess, CultureInfo.InvariantCulture),
            new Uri(web.TrimEnd('/') + "/"), int.Parse(lines, CultureInfo.InvariantCulture), TimeSpan.FromMinutes(double.Parse(minutes, CultureInfo.InvariantCulture))),
    ["classify", var registry, var seed, var work, var image] => await ClassificationBenchmark.RunAsync(new Uri(registry), seed, work, image),
    ["capacity", var api, var database, var enrollmentToken, var versions, var binaryShare, var daySeconds, var buildTimes, var fleets, var targets] =>
        await CapacitySimulation.RunAsync(new Uri(api), database, enrollmentToken,
            new DayOfPublications(int.Parse(versions, CultureInfo.InvariantCulture), double.Parse(binaryShare, CultureInfo.InvariantCulture),
                [.. File.ReadLines(buildTimes).Where(l => l.Length > 0 && l[0] != '#').Select(l => double.Parse(l, CultureInfo.InvariantCulture))]),
            TimeSpan.FromSeconds(double.Parse(daySeconds, CultureInfo.InvariantCulture)),
            [.. fleets.Split(',').Select(f => int.Parse(f, CultureInfo.InvariantCulture))], targets.Split(',')),
    ["api-data", var database, var work, var crates, var versions, var built] =>
        await ApiBenchmarkData.RunAsync(database, work, int.Parse(crates, CultureInfo.InvariantCulture),
            int.Parse(versions, CultureInfo.InvariantCulture), int.Parse(built, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: registry IMPORT_DB FLOOR_DB WORK_DIR CRATES VERSIONS | sync DB INDEX WORK_DIR | queue API_URL DB ENROLLMENT_TOKEN JOBS BUILDERS BATCH RATE PGBENCH WORK_DIR | build-overhead DB REGISTRY_URL IMAGE WORK_DIR REPETITIONS [CROSS_TARGET...] | api-data DB WORK_DIR CRATES VERSIONS BUILT | log-flood DB REGISTRY_URL PUBLISH_TOKEN API_URL API_PID WEB_URL LINES MINUTES | classify REGISTRY_URL SEED_DIR WORK_DIR IMAGE | capacity API_URL DB ENROLLMENT_TOKEN VERSIONS BINARY_SHARE DAY_SECONDS BUILD_TIMES_FILE FLEETS TARGETS");
    return 2;
}
