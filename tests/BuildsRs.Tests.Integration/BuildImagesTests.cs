using BuildsRs.Builder;
using BuildsRs.Builder.Infrastructure;
using BuildsRs.Tests.Fixtures;
using Docker.DotNet;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BuildsRs.Tests.Integration;

/// <summary>A builder offers the targets whose build images its Docker engine has, and only those.</summary>
public sealed class BuildImagesTests : IDisposable
{
    private readonly DockerClient docker = new DockerClientConfiguration().CreateClient();

    public void Dispose() => docker.Dispose();

    [Fact]
    public async Task A_target_whose_image_the_engine_lacks_is_not_offered()
    {
        var images = Images(new()
        {
            [RepositoryPaths.HostTarget] = RepositoryPaths.BuildImages[RepositoryPaths.HostTarget],
            ["aarch64-unknown-linux-gnu"] = "buildsrs-builder:no-such-image",
        });

        var offered = await images.FindPresentTargetsAsync(CancellationToken.None);

        Assert.Equal([RepositoryPaths.HostTarget], offered);
        Assert.Equal(RepositoryPaths.BuildImages[RepositoryPaths.HostTarget], images.ForMetadata());
    }

    [Fact]
    public async Task A_builder_without_any_of_its_images_refuses_to_connect_and_says_why()
    {
        var images = Images(new() { [RepositoryPaths.HostTarget] = "buildsrs-builder:no-such-image" });

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => images.FindPresentTargetsAsync(CancellationToken.None));

        Assert.Contains("none of the build images (buildsrs-builder:no-such-image) is in the Docker engine", failure.Message, StringComparison.Ordinal);
    }

    private BuildImages Images(Dictionary<string, string> images) =>
        new(docker, Options.Create(new BuilderOptions { Images = images }), NullLogger<BuildImages>.Instance);
}
