using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Benchmarks.Queue;

/// <summary>
/// A builder that speaks the real protocol over a real WebSocket (enrollment, signed challenge, job requests) but
/// does no work: the queue benchmark finishes every job the moment it gets it, the capacity simulation waits as long
/// as a build would take.
/// </summary>
internal sealed class SimulatedBuilder(string name, Uri api, string enrollmentToken, IReadOnlyList<string>? targets = null) : IDisposable
{
    private static readonly JobKind[] Kinds = [JobKind.Metadata];
    private readonly string[] Targets = [.. targets ?? ["x86_64-unknown-linux-gnu"]];
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ClientWebSocket socket = new();

    public List<long> Claimed { get; } = [];

    /// <summary>Client-side time from sending a job request to holding the job, in microseconds.</summary>
    public List<double> ClaimLatencies { get; } = [];

    /// <summary>The largest batch a request asks for, and so the capacity it announces: it holds a batch at a time.</summary>
    private const int MaxBatch = 32;

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
        await BuilderSocket.SendAsync(socket, new Hello(BuilderSignature.ProtocolVersion, BuilderSignature.Fingerprint(publicKey), "benchmark", Targets, MaxBatch), cancellationToken);
        var challenge = await BuilderSocket.ExpectAsync<Challenge>(socket, cancellationToken);
        await BuilderSocket.SendAsync(socket, new ChallengeResponse(BuilderSignature.Sign(key, challenge.ConnectionId, challenge.Nonce)), cancellationToken);
        await BuilderSocket.ExpectAsync<Welcome>(socket, cancellationToken);
    }

    /// <summary>Takes and finishes jobs, <paramref name="batch"/> per request as a builder classifying does, until the
    /// Api has none left; the results of a batch go out together. With a <paramref name="pace"/>, a request is due every
    /// so often (the first at a random point of the first period, to spread the fleet), and a claim's latency counts
    /// from when its request was due, so that falling behind shows.</summary>
    public async Task DrainAsync(int batch, TimeSpan? pace, CancellationToken cancellationToken)
    {
        var period = pace is { } p ? (long)(p.TotalSeconds * Stopwatch.Frequency) : 0;
        var due = Stopwatch.GetTimestamp() + (long)(Random.Shared.NextDouble() * period);
        while (true)
        {
            if (Stopwatch.GetTimestamp() < due)
            {
                await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due), cancellationToken);
            }
            var asked = pace is null ? Stopwatch.GetTimestamp() : due;
            due += period;
            await BuilderSocket.SendAsync(socket, new JobRequest(Kinds, batch), cancellationToken);
            var jobs = new List<JobAssigned>(batch);
            while (jobs.Count < batch)
            {
                var answer = await BuilderSocket.ReceiveAsync(socket, cancellationToken);
                if (answer is NoJob)
                {
                    break;
                }
                jobs.Add(answer as JobAssigned ?? throw new InvalidOperationException($"{name}: unexpected {answer?.GetType().Name ?? "end of connection"}"));
                ClaimLatencies.Add(Stopwatch.GetElapsedTime(asked).TotalMicroseconds);
            }
            if (jobs.Count == 0)
            {
                return;
            }
            Claimed.AddRange(jobs.Select(j => j.JobId));
            // Libraries: no binaries, so the results fan out to nothing and only the queue is exercised.
            foreach (var job in jobs)
            {
                await BuilderSocket.SendAsync(socket, new JobFinished(job.JobId, JobOutcome.Succeeded, 1, 0, null, [], null), cancellationToken);
            }
            foreach (var job in jobs)
            {
                await ExpectRecordedAsync(job.JobId, cancellationToken);
            }
        }
    }

    /// <summary>Asks for a job of these kinds: the job, or null when there is none now.</summary>
    public async Task<JobAssigned?> RequestAsync(IReadOnlyList<JobKind> kinds, CancellationToken cancellationToken)
    {
        await BuilderSocket.SendAsync(socket, new JobRequest(kinds), cancellationToken);
        return await BuilderSocket.ReceiveAsync(socket, cancellationToken) switch
        {
            JobAssigned job => job,
            NoJob => null,
            var other => throw new InvalidOperationException($"{name}: unexpected {other?.GetType().Name ?? "end of connection"}"),
        };
    }

    /// <summary>Reports a result and waits for the Api to record it.</summary>
    public async Task FinishAsync(JobFinished finished, CancellationToken cancellationToken)
    {
        await BuilderSocket.SendAsync(socket, finished, cancellationToken);
        await ExpectRecordedAsync(finished.JobId, cancellationToken);
    }

    private async Task ExpectRecordedAsync(long jobId, CancellationToken cancellationToken)
    {
        if (await BuilderSocket.ReceiveAsync(socket, cancellationToken) is not JobResultRecorded recorded || recorded.JobId != jobId)
        {
            throw new InvalidOperationException($"{name}: the result of job {jobId} was not recorded");
        }
    }

    public void Dispose()
    {
        socket.Dispose();
        key.Dispose();
    }
}
