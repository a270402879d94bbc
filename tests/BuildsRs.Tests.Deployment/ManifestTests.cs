using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildsRs.Tests.Fixtures;
using Json.Schema;

namespace BuildsRs.Tests.Deployment;

/// <summary>
/// What azd deploys: the AppHost in publish mode writes the manifest, which must validate against Aspire's schema,
/// hold only resources azd can deploy, name no path of this machine and carry everything the system needs.
/// </summary>
public sealed class ManifestTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public async Task The_manifest_azd_reads_validates_and_holds_the_deployable_system()
    {
        var (manifest, stateDirectory) = await PublishManifestAsync();

        var schema = JsonSchema.FromText(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "aspire-8.0.json")));
        var evaluation = schema.Evaluate(JsonDocument.Parse(manifest.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (evaluation.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.True(evaluation.IsValid, "schema errors:\n" + string.Join('\n', errors));

        var resources = manifest["resources"]!.AsObject();
        Assert.All(resources, r => Assert.Contains(Type(r.Value), DeployableTypes));
        Assert.All(Strings(manifest), value =>
        {
            Assert.False(value.StartsWith('/'), $"absolute path in the manifest: {value}");
            Assert.DoesNotContain(RepositoryPaths.Root, value, StringComparison.Ordinal);
        });
        Assert.False(Directory.Exists(stateDirectory) && Directory.EnumerateFileSystemEntries(stateDirectory).Any(), "publish mode wrote local state");

        // Postgres and storage are connection strings given at deploy time; the tokens are generated secrets.
        foreach (var connection in new[] { "buildsrs", "artifacts" })
        {
            Assert.Equal("parameter.v0", Type(resources[connection]));
            Assert.True(resources[connection]!["inputs"]!["value"]!["secret"]!.GetValue<bool>());
            Assert.NotNull(resources[connection]!["connectionString"]);
        }
        foreach (var secret in new[] { "admin-token", "signing-key" })
        {
            var input = resources[secret]!["inputs"]!["value"]!;
            Assert.True(input["secret"]!.GetValue<bool>());
            Assert.True(input["default"]!["generate"]!["minLength"]!.GetValue<int>() >= 32);
        }
        Assert.Equal("parameter.v0", Type(resources["api-public-url"]));

        var api = resources["api"]!;
        Assert.Equal("project.v0", Type(api));
        Assert.Equal("{buildsrs.connectionString}", Env(api, "ConnectionStrings__buildsrs"));
        Assert.Equal("{artifacts.connectionString}", Env(api, "ConnectionStrings__artifacts"));
        Assert.Equal("{admin-token.value}", Env(api, "Admin__Token"));
        // Builder hosts join with tokens the operator makes with the admin API: none is a deploy-time secret.
        Assert.DoesNotContain(resources, r => r.Key.Contains("enrollment", StringComparison.Ordinal));
        Assert.Null(api["env"]!["Builders__EnrollmentToken"]);
        Assert.Equal("{signing-key.value}", Env(api, "Signing__SecretKey"));
        Assert.True(api["bindings"]!["http"]!["external"]!.GetValue<bool>());

        var sync = resources["registry-sync"]!;
        Assert.Equal("{buildsrs.connectionString}", Env(sync, "ConnectionStrings__buildsrs"));
        Assert.Equal("{admin-token.value}", Env(sync, "Admin__Token"));
        // crates.io is the service's default: nothing points it at a local registry.
        Assert.Null(sync["env"]!["Registry__GitIndexUrl"]);

        var web = resources["web"]!;
        Assert.Equal("{api-public-url.value}", Env(web, "Site__ApiUrl"));
        Assert.Equal("{api.bindings.http.url}", Env(web, "services__api__http__0"));
        Assert.True(web["bindings"]!["http"]!["external"]!.GetValue<bool>());

        // No Docker engine in container apps: builders run on Docker hosts of their own (deploy/builder-host/).
        Assert.DoesNotContain(resources, r => r.Key.StartsWith("builder", StringComparison.Ordinal) && Type(r.Value) == "project.v0");
        Assert.DoesNotContain(resources, r => r.Key is "registry" or "postgres" or "s3");

        var manifestDirectory = Path.GetDirectoryName(ManifestPath)!;
        Assert.All(resources.Where(r => Type(r.Value) == "project.v0"),
            r => Assert.True(File.Exists(Path.Combine(manifestDirectory, r.Value!["path"]!.GetValue<string>())), $"{r.Key}: no project at its path"));
    }

    /// <summary>What azd deploys; it refuses <c>executable.v0</c>.</summary>
    private static readonly string[] DeployableTypes = ["parameter.v0", "project.v0", "container.v0", "value.v0"];

    private static string ManifestPath => Path.Combine(RepositoryPaths.Root, "TestResults", "manifest", "aspire-manifest.json");

    /// <summary>The command azd runs, from the repository's root, with a state directory that must stay empty.</summary>
    private static async Task<(JsonNode Manifest, string StateDirectory)> PublishManifestAsync()
    {
        var state = Path.Combine(Path.GetTempPath(), "buildsrs-manifest-state-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(ManifestPath)!);
        File.Delete(ManifestPath);
        var start = new ProcessStartInfo("dotnet", ["run", "--project", "BuildsRs.AppHost", "--no-build", "-c", Configuration, "--",
            "--publisher", "manifest", "--output-path", ManifestPath]) { WorkingDirectory = RepositoryPaths.Root };
        start.Environment["BUILDSRS_STATE_DIR"] = state;
        var (exitCode, output, errors) = await Processes.RunAsync(start, TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0, $"the manifest command failed ({exitCode}):\n{output}\n{errors}");
        try
        {
            return (JsonNode.Parse(await File.ReadAllTextAsync(ManifestPath))!, state);
        }
        finally
        {
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }

    private static string Type(JsonNode? resource) => resource!["type"]!.GetValue<string>();

    private static string? Env(JsonNode resource, string name) => resource["env"]?[name]?.GetValue<string>();

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Strings(p.Value)),
        JsonArray array => array.SelectMany(Strings),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => [value.GetValue<string>()],
        _ => [],
    };
}
