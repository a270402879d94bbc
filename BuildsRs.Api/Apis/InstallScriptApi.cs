using BuildsRs.Api.Trust;

namespace BuildsRs.Api.Apis;

/// <summary>
/// <c>/install.sh</c> (a POSIX shell script) and <c>/install.ps1</c> (PowerShell, for Windows): each picks the host's
/// target, downloads a crate's archive, checks its SHA-256 and signature and installs the binaries. The service's own
/// address and public key are written into them.
/// </summary>
public static class InstallScriptApi
{
    private static readonly Lazy<string> Shell = new(() => Embedded("install.sh"));
    private static readonly Lazy<string> PowerShell = new(() => Embedded("install.ps1"));

    public static IEndpointRouteBuilder MapInstallScriptApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/install.sh", (HttpRequest request, ArtifactSigner signer) =>
                TypedResults.Text(Filled(Shell.Value, request, signer), "text/x-shellscript; charset=utf-8"))
            .WithTags("Downloads")
            .WithSummary("curl -fsSL {base}/install.sh | sh -s -- CRATE [--version VERSION] [--target TRIPLE] [--to DIRECTORY]");
        app.MapGet("/install.ps1", (HttpRequest request, ArtifactSigner signer) =>
                TypedResults.Text(Filled(PowerShell.Value, request, signer), "text/plain; charset=utf-8"))
            .WithTags("Downloads")
            .WithSummary("& ([scriptblock]::Create((irm {base}/install.ps1))) CRATE [-Version VERSION] [-Target TRIPLE] [-To DIRECTORY]");
        return app;
    }

    private static string Filled(string script, HttpRequest request, ArtifactSigner signer) =>
        script.Replace("@BASE_URL@", $"{request.Scheme}://{request.Host}", StringComparison.Ordinal)
            .Replace("@PUBLIC_KEY@", signer.PublicKey, StringComparison.Ordinal);

    private static string Embedded(string name)
    {
        using var stream = typeof(InstallScriptApi).Assembly.GetManifestResourceStream($"BuildsRs.Api.Downloads.{name}")
            ?? throw new InvalidOperationException($"{name} is not embedded in the Api");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
