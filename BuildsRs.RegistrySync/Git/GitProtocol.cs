namespace BuildsRs.RegistrySync.Git;

/// <summary>Tells git's smart protocol from its "dumb" HTTP one, as git itself does: a smart server answers the
/// upload-pack advertisement request with its own content type, a plain file server with the file or a 404.</summary>
public static class GitProtocol
{
    // One plain request, not retried: git reports an unreachable registry itself, right after.
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Whether the remote at <paramref name="url"/> speaks the smart protocol. SSH, git:// and local paths
    /// always do; over HTTP, a server that cannot be asked (it wants credentials, say) counts as dumb.</summary>
    public static async Task<bool> IsSmartAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return true;
        }
        try
        {
            using var response = await Http.GetAsync($"{url.TrimEnd('/')}/info/refs?service=git-upload-pack",
                HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode
                && response.Content.Headers.ContentType?.MediaType == "application/x-git-upload-pack-advertisement";
        }
        catch (Exception exception) when (exception is HttpRequestException || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
