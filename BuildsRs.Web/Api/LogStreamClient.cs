using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace BuildsRs.Web.Api;

/// <summary>
/// A job's log as it is written, from the Api's server-sent events. Apart from <see cref="ApiClient"/> because a
/// stream lasts as long as the build: request timeouts and retries must not apply to it.
/// </summary>
public sealed class LogStreamClient(HttpClient http, Visitor visitor)
{
    private readonly HttpClient http = visitor.Forwarding(http);
    /// <summary>Every chunk after <paramref name="afterSequence"/> as it is stored, then the job's final state as an <c>end</c> event.</summary>
    public async IAsyncEnumerable<SseItem<string>> FollowAsync(long jobId, int afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/jobs/{jobId}/log/stream");
        request.Headers.Add("Last-Event-ID", afterSequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ApiUnavailableException($"the API did not answer {request.RequestUri}", ex);
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                yield break;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiUnavailableException($"the API answered {request.RequestUri} with status {(int)response.StatusCode}");
            }
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
            {
                yield return item;
            }
        }
    }
}
