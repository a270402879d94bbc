using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Benchmarks.Queue;

/// <summary>
/// A builder that speaks the real protocol over a real WebSocket (enrollment, signed challenge, job requests) but
/// finishes every job the moment it gets it, so that only the queue is measured.
/// </summary>
internal sealed class SimulatedBuilder(string name, Uri api, string enrollmentToken) : IDisposable
{
    private static readonly JobKind[] Kinds = [JobKind.Metadata];
    private static readonly string[] Targets = ["x86_64-unknown-linux-gnu"];
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ClientWebSocket socket = new();

    public List<long> Claimed { get; } = [];

    /// <summary>Client-side time from sending a job request to holding the job, in microseconds.</summary>
    public List<double> ClaimLatencies { get; } = [];

    public async Task ConnectAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var publicKey = key.ExportSubjectPublicKeyInfo();
        using var enroll = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "/api/v1/builders/enroll"))
        {
            Content = JsonContent.Create(new EnrollRequest(name, Convert.ToBase64String(publicKey), Targets), BuilderJsonContext.Default.EnrollRequest),
        };
        enroll.Headers.Authorization = new("Bearer", enrollmentToken);
        (await http.SendAsync(enroll, cancellationToken)).EnsureSuccessStatusCode();

        await socket.ConnectAsync(new UriBuilder(api) { Scheme = "ws", Path = "/api/v1/builders/connect" }.Uri, cancellationToken);
        await BuilderSocket.SendAsync(socket, new Hello(BuilderSignature.ProtocolVersion, BuilderSignature.Fingerprint(publicKey), "benchmark", Targets, 1), cancellationToken);
        var challenge = await BuilderSocket.ExpectAsync<Challenge>(socket, cancellationToken);
        await BuilderSocket.SendAsync(socket, new ChallengeResponse(BuilderSignature.Sign(key, challenge.ConnectionId, challenge.Nonce)), cancellationToken);
        await BuilderSocket.ExpectAsync<Welcome>(socket, cancellationToken);
    }

    /// <summary>Takes and finishes jobs until the Api has none left.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var asked = Stopwatch.GetTimestamp();
            await BuilderSocket.SendAsync(socket, new JobRequest(Kinds), cancellationToken);
            switch (await BuilderSocket.ReceiveAsync(socket, cancellationToken))
            {
                case JobAssigned job:
                    ClaimLatencies.Add(Stopwatch.GetElapsedTime(asked).TotalMicroseconds);
                    Claimed.Add(job.JobId);
                    // A library: no binaries, so the result fans out to nothing and only the queue is exercised.
                    await BuilderSocket.SendAsync(socket, new JobFinished(job.JobId, JobOutcome.Succeeded, 1, 0, null, [], null), cancellationToken);
                    break;
                case NoJob:
                    return;
                case var other:
                    throw new InvalidOperationException($"{name}: unexpected {other?.GetType().Name ?? "end of connection"}");
            }
        }
    }

    public void Dispose()
    {
        socket.Dispose();
        key.Dispose();
    }
}
