using BuildsRs.Api.Trust;

namespace BuildsRs.Api.Apis;

/// <summary>
/// <c>/install.sh</c>: a POSIX shell script that picks the host's target, downloads a crate's archive, checks its
/// SHA-256 and signature and installs the binaries. The service's own address and public key are written into it.
/// </summary>
public static class InstallScriptApi
{
    private static readonly Lazy<string> Script = new(() =>
    {
        using var stream = typeof(InstallScriptApi).Assembly.GetManifestResourceStream("BuildsRs.Api.Downloads.install.sh")
            ?? throw new InvalidOperationException("install.sh is not embedded in the Api");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static IEndpointRouteBuilder MapInstallScriptApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/install.sh", (HttpRequest request, ArtifactSigner signer) =>
                TypedResults.Text(Script.Value.Replace("@BASE_URL@", $"{request.Scheme}://{request.Host}", StringComparison.Ordinal)
                    .Replace("@PUBLIC_KEY@", signer.PublicKey, StringComparison.Ordinal), "text/x-shellscript; charset=utf-8"))
            .WithTags("Downloads")
            .WithSummary("curl -fsSL {base}/install.sh | sh -s -- CRATE [--version VERSION] [--target TRIPLE] [--to DIRECTORY]");
        return app;
    }
}
