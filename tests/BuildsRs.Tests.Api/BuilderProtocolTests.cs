using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using BuildsRs.Api.Jobs;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Jobs;
using BuildsRs.Tests.ApiTests.Fixtures;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.ApiTests;

/// <summary>Builders authenticate by key on the Api's WebSocket; every way of getting it wrong is refused with the reason.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class BuilderProtocolTests(ApiFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task An_enrolled_key_that_signs_its_challenge_is_welcomed()
    {
        using var key = await EnrollNewKeyAsync("test-welcomed");
        using var socket = await ConnectAsync();

        var (reply, _) = await HandshakeAsync(socket, key, sign: (challenge) => BuilderSignature.Sign(key, challenge.ConnectionId, challenge.Nonce));

        Assert.Equal("test-welcomed", Assert.IsType<Welcome>(reply).BuilderName);
    }

    [Fact]
    public async Task An_unknown_key_is_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var socket = await ConnectAsync();

        await BuilderSocket.SendAsync(socket, Hello(key), CancellationToken.None);

        Assert.Contains("unknown builder key", await RefusalAsync(socket), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_signature_is_refused()
    {
        using var key = await EnrollNewKeyAsync("test-forged");
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var socket = await ConnectAsync();

        var (reply, _) = await HandshakeAsync(socket, key, sign: challenge => BuilderSignature.Sign(forger, challenge.ConnectionId, challenge.Nonce));

        Assert.Contains("signature does not match", Assert.IsType<Refused>(reply).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replayed_signature_is_refused()
    {
        using var key = await EnrollNewKeyAsync("test-replayed");
        string captured;
        using (var first = await ConnectAsync())
        {
            var (welcome, signature) = await HandshakeAsync(first, key, sign: challenge => BuilderSignature.Sign(key, challenge.ConnectionId, challenge.Nonce));
            Assert.IsType<Welcome>(welcome);
            captured = signature;
        }
        using var second = await ConnectAsync();

        var (reply, _) = await HandshakeAsync(second, key, sign: _ => captured);

        Assert.Contains("signature does not match", Assert.IsType<Refused>(reply).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_result_for_a_job_the_builder_does_not_hold_is_discarded_and_changes_nothing()
    {
        using var key = await EnrollNewKeyAsync("test-stale");
        using var socket = await ConnectAsync();
        var (welcome, _) = await HandshakeAsync(socket, key, sign: challenge => BuilderSignature.Sign(key, challenge.ConnectionId, challenge.Nonce));
        Assert.IsType<Welcome>(welcome);
        await using var db = await fixture.CreateDbContextAsync();
        // A job of a target no builder offers: nothing but the forged result could touch it meanwhile.
        db.Targets.Add(new Data.Model.Target { Triple = "stale-test-unknown-linux-gnu", Enabled = false });
        var job = new Data.Model.Job
        {
            VersionId = await db.Versions.Where(v => v.Crate.Name == "xml-rs").Select(v => v.Id).FirstAsync(), Kind = JobKind.Binary,
            Target = "stale-test-unknown-linux-gnu", State = JobState.Queued,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync();

        await BuilderSocket.SendAsync(socket, new JobFinished(job.Id, JobOutcome.Succeeded, 1, 0, null, ["forged"], null), CancellationToken.None);
        using var timeout = new CancellationTokenSource(Timeout);
        var reply = await BuilderSocket.ReceiveAsync(socket, timeout.Token);

        var discarded = Assert.IsType<JobResultDiscarded>(reply);
        Assert.Equal(job.Id, discarded.JobId);
        Assert.Contains("does not hold", discarded.Reason, StringComparison.Ordinal);
        var after = await db.Jobs.AsNoTracking().Include(j => j.Version).SingleAsync(j => j.Id == job.Id);
        Assert.NotEqual(["forged"], after.Version.BinaryTargets);
        Assert.Equal(job.BuilderId, after.BuilderId);
    }

    [Fact]
    public async Task A_result_whose_outcome_is_not_in_the_vocabulary_is_refused_and_the_job_kept()
    {
        var (socket, job, key) = await ClaimTestJobAsync("test-spelling", "x86_64-buildsrs-test-spelling");
        using var _ = socket;
        using var __ = key;

        var forged = $$"""{"type": "job-finished", "job_id": {{job.JobId}}, "outcome": "oom", "duration_ms": 1}""";
        await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(forged), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        Assert.Contains("malformed message", await RefusalAsync(socket), StringComparison.Ordinal);
        await using var db = await fixture.CreateDbContextAsync();
        var after = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == job.JobId);
        Assert.Equal((JobState.Running, null), (after.State, after.Outcome));
    }

    [Fact]
    public async Task A_job_log_is_kept_up_to_1_MiB_with_a_marker_where_it_was_cut()
    {
        var (socket, job, key) = await ClaimTestJobAsync("test-logger", "x86_64-buildsrs-test-logs");
        using var _ = socket;
        using var __ = key;
        using var timeout = new CancellationTokenSource(Timeout);

        foreach (var letter in "abcd")
        {
            await BuilderSocket.SendAsync(socket, new JobLog(job.JobId, "build", new string(letter, 400_000)), timeout.Token);
        }
        // A builder that goes on past the cap: its chunks are dropped, and its result still comes through.
        for (var i = 0; i < 5_000; i++)
        {
            await BuilderSocket.SendAsync(socket, new JobLog(job.JobId, "build", $"e{i}\n"), timeout.Token);
        }
        await FinishAsync(socket, job, JobOutcome.BuildFailed);

        await using var db = await fixture.CreateDbContextAsync();
        var chunks = await db.JobLogs.Where(l => l.JobId == job.JobId).OrderBy(l => l.Sequence).Select(l => l.Text).ToListAsync();
        var log = string.Concat(chunks);
        Assert.Equal(3, chunks.Count);
        Assert.Equal(1024 * 1024, log.IndexOf("\n[log cut", StringComparison.Ordinal));
        Assert.EndsWith("[log cut: more than 1 MiB]\n", log, StringComparison.Ordinal);
        Assert.DoesNotContain('d', log);
    }

    [Fact]
    public async Task Uploads_need_the_jobs_token_and_a_body_that_matches_its_declared_size_and_hash()
    {
        var (socket, job, key) = await ClaimTestJobAsync("test-uploader", "x86_64-buildsrs-test-uploads");
        using var _ = socket;
        using var __ = key;
        using var http = fixture.CreateClient();
        var file = $"{job.Crate}-{job.Version}-{job.Target}.tar.gz";
        var body = RandomNumberGenerator.GetBytes(100_000);
        var hash = Convert.ToHexStringLower(SHA256.HashData(body));

        using var wrongToken = await UploadAsync(http, job.JobId, file, body, hash, "not-the-token");
        using var wrongHash = await UploadAsync(http, job.JobId, file, body, new string('0', 64), job.UploadToken);
        using var wrongName = await UploadAsync(http, job.JobId, "../../etc/passwd", body, hash, job.UploadToken);
        using var shortBody = await UploadAsync(http, job.JobId, file, body, hash, job.UploadToken, declaredLength: body.Length + 10);
        using var accepted = await UploadAsync(http, job.JobId, file, body, hash, job.UploadToken);
        using var again = await UploadAsync(http, job.JobId, file, body, hash, job.UploadToken);
        await FinishAsync(socket, job, JobOutcome.Succeeded, hash);
        using var afterFinish = await UploadAsync(http, job.JobId, file, body, hash, job.UploadToken);

        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongHash.StatusCode);
        Assert.Contains("SHA-256", await wrongHash.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(wrongName.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, wrongName.StatusCode.ToString());
        Assert.NotEqual(HttpStatusCode.Created, shortBody.StatusCode);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterFinish.StatusCode);
        await using var db = await fixture.CreateDbContextAsync();
        var stored = Assert.Single(await db.Artifacts.Where(a => a.JobId == job.JobId).ToListAsync());
        Assert.Equal((hash, 100_000L), (stored.Sha256, stored.Size));
        Assert.Equal(JobState.Succeeded, await db.Jobs.Where(j => j.Id == job.JobId).Select(j => j.State).SingleAsync());
    }

    [Fact]
    public async Task Two_uploads_racing_for_one_job_store_and_record_one_archive_whose_bytes_are_the_signed_ones()
    {
        var (socket, job, key) = await ClaimTestJobAsync("test-racer", "x86_64-buildsrs-test-race");
        using var _ = socket;
        using var __ = key;
        using var http = fixture.CreateClient();
        var file = $"{job.Crate}-{job.Version}-{job.Target}.tar.gz";
        // Large enough that both are still arriving when either is stored.
        byte[][] bodies = [RandomNumberGenerator.GetBytes(8_000_000), RandomNumberGenerator.GetBytes(8_000_000)];
        var hashes = bodies.Select(b => Convert.ToHexStringLower(SHA256.HashData(b))).ToList();

        var racing = await Task.WhenAll(bodies.Zip(hashes).Select(upload => UploadAsync(http, job.JobId, file, upload.First, upload.Second, job.UploadToken)));
        var other = RandomNumberGenerator.GetBytes(1000);
        using var overwrite = await UploadAsync(http, job.JobId, file, other, Convert.ToHexStringLower(SHA256.HashData(other)), job.UploadToken);

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], racing.Select(r => r.StatusCode).Order());
        Assert.Equal(HttpStatusCode.Conflict, overwrite.StatusCode);
        await using var db = await fixture.CreateDbContextAsync();
        var recorded = Assert.Single(await db.Artifacts.Where(a => a.JobId == job.JobId).ToListAsync());
        Assert.Contains(recorded.Sha256, hashes);
        Assert.Equal(recorded.Sha256, recorded.Signature!.Split('\n')[2].Split("sha256:")[1].Trim());
        var storage = Api.Infrastructure.ArtifactStorageSettings.Parse(fixture.Storage.ConnectionString);
        using var s3 = storage.CreateClient();
        using (var stored = await s3.GetObjectAsync(storage.Bucket, recorded.StorageKey))
        {
            Assert.Equal(recorded.Sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(stored.ResponseStream)));
        }
        // The upload that lost left nothing behind it.
        var prefix = recorded.StorageKey[..(recorded.StorageKey.IndexOf(recorded.Sha256, StringComparison.Ordinal))];
        var objects = await s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = storage.Bucket, Prefix = prefix });
        Assert.Equal([recorded.StorageKey], objects.S3Objects.Select(o => o.Key));
        foreach (var response in racing)
        {
            response.Dispose();
        }
    }

    /// <summary>
    /// A builder of this test's own that holds a fresh binary job of a target only it announces, so that no real
    /// builder takes the job.
    /// </summary>
    private async Task<(ClientWebSocket Socket, JobAssigned Job, ECDsa Key)> ClaimTestJobAsync(string name, string target, string? enrollmentToken = null)
    {
        await using var db = await fixture.CreateDbContextAsync();
        db.Targets.Add(new Data.Model.Target { Triple = target, Enabled = false });
        var version = await db.Versions.FirstAsync(v => v.Crate.Name == "xml-rs");
        db.Jobs.Add(new Data.Model.Job { VersionId = version.Id, Kind = JobKind.Binary, Target = target, State = JobState.Queued });
        await db.SaveChangesAsync();

        var (socket, key) = await ConnectBuilderAsync(name, target, enrollmentToken: enrollmentToken);
        using var timeout = new CancellationTokenSource(Timeout);
        await BuilderSocket.SendAsync(socket, new JobRequest([JobKind.Binary]), timeout.Token);
        var job = await BuilderSocket.ExpectAsync<JobAssigned>(socket, timeout.Token);
        Assert.Equal(target, job.Target);
        return (socket, job, key);
    }

    /// <summary>A newly enrolled builder offering only <paramref name="target"/>, connected and welcomed (a key of the
    /// host whose token is <paramref name="enrollmentToken"/>, builder-1's by default).</summary>
    private async Task<(ClientWebSocket Socket, ECDsa Key)> ConnectBuilderAsync(string name, string target, int capacity = JobLifecycle.MaxClaimCount,
        string? enrollmentToken = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var http = fixture.CreateClient();
        (await EnrollAsync(http, new EnrollRequest(name, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), [target]), enrollmentToken)).EnsureSuccessStatusCode();
        var socket = await ConnectAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        await BuilderSocket.SendAsync(socket, Hello(key) with { Targets = [target], Capacity = capacity }, timeout.Token);
        var challenge = await BuilderSocket.ExpectAsync<Challenge>(socket, timeout.Token);
        await BuilderSocket.SendAsync(socket, new ChallengeResponse(BuilderSignature.Sign(key, challenge.ConnectionId, challenge.Nonce)), timeout.Token);
        await BuilderSocket.ExpectAsync<Welcome>(socket, timeout.Token);
        return (socket, key);
    }

    [Fact]
    public async Task A_request_for_several_jobs_gets_each_queued_one_with_its_own_token_then_no_job_all_naming_the_request_and_a_count_out_of_range_is_refused()
    {
        const string target = "batch-test-unknown-linux-gnu";
        await QueueJobsOfUnknownTargetAsync(target, 2);
        var (socket, key) = await ConnectBuilderAsync("test-batch-builder", target);
        using var _ = key;
        using var timeout = new CancellationTokenSource(Timeout);

        await BuilderSocket.SendAsync(socket, new JobRequest([JobKind.Binary], 3, RequestId: 42), timeout.Token);
        var first = await BuilderSocket.ExpectAsync<JobAssigned>(socket, timeout.Token);
        var second = await BuilderSocket.ExpectAsync<JobAssigned>(socket, timeout.Token);
        var none = await BuilderSocket.ExpectAsync<NoJob>(socket, timeout.Token);

        Assert.Equal((42, 42, 42), (first.RequestId, second.RequestId, none.RequestId));
        Assert.NotEqual(first.JobId, second.JobId);
        Assert.NotEqual(first.UploadToken, second.UploadToken);
        await using (var db = await fixture.CreateDbContextAsync())
        {
            var held = await db.Jobs.Where(j => j.Target == target).Select(j => new { j.Id, j.State, j.UploadTokenHash }).ToListAsync();
            Assert.All(held, j => Assert.Equal(JobState.Running, j.State));
            Assert.Equal(UploadTokens.Hash(first.UploadToken), held.Single(j => j.Id == first.JobId).UploadTokenHash);
            Assert.Equal(UploadTokens.Hash(second.UploadToken), held.Single(j => j.Id == second.JobId).UploadTokenHash);
        }

        await BuilderSocket.SendAsync(socket, new JobRequest([JobKind.Binary], JobLifecycle.MaxClaimCount + 1), timeout.Token);
        Assert.Contains("1 to 32 jobs", await RefusalAsync(socket));
    }

    /// <summary>Adds <paramref name="target"/>, which no real builder offers, with a queued binary job for each of the
    /// first <paramref name="count"/> versions.</summary>
    private async Task QueueJobsOfUnknownTargetAsync(string target, int count)
    {
        await using var db = await fixture.CreateDbContextAsync();
        db.Targets.Add(new Data.Model.Target { Triple = target, Enabled = false });
        foreach (var version in await db.Versions.OrderBy(v => v.Id).Take(count).ToListAsync())
        {
            db.Jobs.Add(new Data.Model.Job { VersionId = version.Id, Kind = JobKind.Binary, Target = target, State = JobState.Queued });
        }
        await db.SaveChangesAsync();
    }

    /// <summary>Reports the job finished (a success with the build record of the archive <paramref name="sha256"/>) and
    /// waits until the Api has recorded it.</summary>
    private async Task FinishAsync(WebSocket socket, JobAssigned job, JobOutcome outcome, string? sha256 = null)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var build = sha256 is null ? null
            : new BuildRecord("sha256:" + new string('1', 64), "rustc 1.95.0", "version = 4\n", sha256, new Dictionary<string, string> { [job.Crate] = sha256 });
        await BuilderSocket.SendAsync(socket, new JobFinished(job.JobId, outcome, 10, 0, null, null, null, null, build), timeout.Token);
        await using var db = await fixture.CreateDbContextAsync();
        while (await db.Jobs.AsNoTracking().Where(j => j.Id == job.JobId).Select(j => j.State).SingleAsync(timeout.Token) == JobState.Running)
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient http, long jobId, string file, byte[] body, string sha256, string token, long? declaredLength = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/jobs/{jobId}/artifacts/{Uri.EscapeDataString(file)}")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentLength = declaredLength ?? body.Length;
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.Add("X-Artifact-Sha256", sha256);
        try
        {
            return await http.SendAsync(request);
        }
        catch (HttpRequestException)
        {
            // A body shorter than its Content-Length makes the client give up: that is a refused upload too.
            return new HttpResponseMessage(HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task A_disabled_builder_is_refused_and_only_an_admin_can_disable_it()
    {
        using var key = await EnrollNewKeyAsync("test-disabled");
        var fingerprint = BuilderSignature.Fingerprint(key.ExportSubjectPublicKeyInfo());
        using var http = fixture.CreateClient();

        using var anonymous = await http.PostAsync(new Uri($"/api/v1/admin/builders/{fingerprint}/disable", UriKind.Relative), null);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/builders/{fingerprint}/disable");
        request.Headers.Authorization = new("Bearer", fixture.Secret("admin.token"));
        using var admin = await http.SendAsync(request);
        using var socket = await ConnectAsync();
        await BuilderSocket.SendAsync(socket, Hello(key), CancellationToken.None);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, admin.StatusCode);
        Assert.Contains("is disabled", await RefusalAsync(socket), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabling_a_connected_builder_ends_its_connection_at_once_and_puts_its_job_back_in_the_queue()
    {
        var (socket, job, key) = await ClaimTestJobAsync("test-disabled-live", "x86_64-buildsrs-test-disable");
        using var _ = socket;
        using var __ = key;
        using var http = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/builders/{BuilderSignature.Fingerprint(key.ExportSubjectPublicKeyInfo())}/disable");
        request.Headers.Authorization = new("Bearer", fixture.Secret("admin.token"));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();

        using var disabled = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);
        Assert.Equal("builder 'test-disabled-live' was disabled", await RefusalAsync(socket));
        // Well within a heartbeat's interval (10 s): the connection did not wait for the builder to speak.
        Assert.InRange(System.Diagnostics.Stopwatch.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.FromSeconds(5));
        await using var db = await fixture.CreateDbContextAsync();
        var released = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == job.JobId);
        Assert.Equal((JobState.Queued, null), (released.State, released.BuilderId));
    }

    [Fact]
    public async Task A_host_an_operator_adds_enrolls_keys_of_its_own_and_cannot_take_over_another_hosts_key()
    {
        using var http = fixture.CreateClient();
        using var anonymous = await http.PostAsJsonAsync("/api/v1/admin/hosts", new NewBuilderHost("test-host-anonymous"));
        using var invalid = await AdminAsync(http, HttpMethod.Post, "/api/v1/admin/hosts", new NewBuilderHost("no spaces/or slashes"));
        var token = await AddHostAsync(http, "test-host-own");
        using var twice = await AdminAsync(http, HttpMethod.Post, "/api/v1/admin/hosts", new NewBuilderHost("test-host-own"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new EnrollRequest("test-host-own-key", Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), ["x86_64-unknown-linux-gnu"]);

        using var enrolled = await EnrollAsync(http, request, token);
        using var takenOver = await EnrollAsync(http, request);
        using var otherHostNamed = await EnrollAsync(http, request with { Host = "builder-1" }, token);
        using var listed = await AdminAsync(http, HttpMethod.Get, "/api/v1/admin/hosts");

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.BadRequest, HttpStatusCode.Conflict), (anonymous.StatusCode, invalid.StatusCode, twice.StatusCode));
        Assert.Equal("test-host-own", (await enrolled.Content.ReadFromJsonAsync<EnrollResponse>())!.Host);
        Assert.Equal(HttpStatusCode.BadRequest, takenOver.StatusCode);
        Assert.Contains("enrolled for another builder host", await takenOver.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, otherHostNamed.StatusCode);
        var hosts = (await listed.Content.ReadFromJsonAsync<BuilderHostState[]>())!;
        Assert.Contains(new BuilderHostState("test-host-own", true, 1), hosts);
        Assert.All(hosts, h => Assert.Null(h.EnrollmentToken));
        await using var db = await fixture.CreateDbContextAsync();
        Assert.Equal("test-host-own", await db.Builders.Where(b => b.Name == "test-host-own-key").Select(b => b.Host.Name).SingleAsync());
    }

    [Fact]
    public async Task Disabling_a_host_ends_every_connection_of_its_keys_puts_their_jobs_back_and_its_token_enrolls_nothing_more()
    {
        using var http = fixture.CreateClient();
        var token = await AddHostAsync(http, "test-host-disabled");
        var (busy, job, busyKey) = await ClaimTestJobAsync("test-host-disabled-busy", "x86_64-buildsrs-test-host-disable", token);
        var (idle, idleKey) = await ConnectBuilderAsync("test-host-disabled-idle", "x86_64-buildsrs-test-host-disable", enrollmentToken: token);
        using var _ = busy;
        using var __ = idle;
        using var ___ = busyKey;
        using var ____ = idleKey;

        using var disabled = await AdminAsync(http, HttpMethod.Post, "/api/v1/admin/hosts/test-host-disabled/disable");
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var enrollAgain = await EnrollAsync(http, new EnrollRequest("test-host-disabled-new", Convert.ToBase64String(newKey.ExportSubjectPublicKeyInfo()), ["x86_64-unknown-linux-gnu"]), token);
        using var reconnect = await ConnectAsync();
        await BuilderSocket.SendAsync(reconnect, Hello(idleKey), CancellationToken.None);

        Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);
        Assert.Equal("builder 'test-host-disabled-busy' was disabled", await RefusalAsync(busy));
        Assert.Equal("builder 'test-host-disabled-idle' was disabled", await RefusalAsync(idle));
        Assert.Equal(HttpStatusCode.Unauthorized, enrollAgain.StatusCode);
        Assert.Equal("builder host 'test-host-disabled' is disabled", await RefusalAsync(reconnect));
        await using var db = await fixture.CreateDbContextAsync();
        var released = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == job.JobId);
        Assert.Equal((JobState.Queued, null), (released.State, released.BuilderId));
        Assert.False(await db.Builders.AnyAsync(b => b.Name == "test-host-disabled-new"));
    }

    [Fact]
    public async Task A_verify_job_of_an_artifact_made_in_an_image_the_Api_does_not_know_names_a_known_image_instead()
    {
        const string target = "x86_64-buildsrs-test-verify-image";
        var (known, unknown) = ("sha256:" + new string('1', 64), "sha256:" + new string('9', 64));
        using var makerKey = await EnrollNewKeyAsync("test-verify-maker");
        await using (var db = await fixture.CreateDbContextAsync())
        {
            db.Targets.Add(new Data.Model.Target { Triple = target, Enabled = false, Images = [known] });
            var maker = await db.Builders.SingleAsync(b => b.Name == "test-verify-maker");
            var version = await db.Versions.FirstAsync(v => v.Crate.Name == "xml-rs");
            var built = new Data.Model.Job
            {
                VersionId = version.Id, Kind = JobKind.Binary, Target = target, State = JobState.Succeeded, BuilderId = maker.Id, BuilderImage = unknown,
            };
            var artifact = new Data.Model.Artifact { Job = built, FileName = "xml-rs.tar.gz", StorageKey = "test-verify-image", Sha256 = new string('d', 64) };
            db.Artifacts.Add(artifact);
            await db.SaveChangesAsync();
            db.Jobs.Add(new Data.Model.Job { VersionId = version.Id, Kind = JobKind.Verify, Target = target, State = JobState.Queued, ArtifactId = artifact.Id });
            await db.SaveChangesAsync();
        }
        using var http = fixture.CreateClient();
        var (socket, key) = await ConnectBuilderAsync("test-verify-other-host", target, enrollmentToken: await AddHostAsync(http, "test-host-verifier"));
        using var _ = socket;
        using var __ = key;
        using var timeout = new CancellationTokenSource(Timeout);

        await BuilderSocket.SendAsync(socket, new JobRequest([JobKind.Verify]), timeout.Token);
        var verify = await BuilderSocket.ExpectAsync<JobAssigned>(socket, timeout.Token);

        Assert.Equal((JobKind.Verify, target, known), (verify.Kind, verify.Target, verify.Image));
    }

    /// <summary>Adds a builder host with the admin API; returns its enrollment token.</summary>
    private async Task<string> AddHostAsync(HttpClient http, string name)
    {
        using var added = await AdminAsync(http, HttpMethod.Post, "/api/v1/admin/hosts", new NewBuilderHost(name));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        return (await added.Content.ReadFromJsonAsync<BuilderHostState>())!.EnrollmentToken!;
    }

    private async Task<HttpResponseMessage> AdminAsync(HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", fixture.Secret("admin.token"));
        return await http.SendAsync(request);
    }

    [Fact]
    public async Task A_builder_gets_no_more_jobs_than_the_capacity_it_announced_and_an_impossible_one_is_refused()
    {
        const string target = "capacity-test-unknown-linux-gnu";
        await QueueJobsOfUnknownTargetAsync(target, 3);
        var (socket, key) = await ConnectBuilderAsync("test-capacity", target, capacity: 1);
        using var _ = key;
        using var timeout = new CancellationTokenSource(Timeout);

        await BuilderSocket.SendAsync(socket, new JobRequest([JobKind.Binary], 3), timeout.Token);
        await BuilderSocket.ExpectAsync<JobAssigned>(socket, timeout.Token);
        await BuilderSocket.ExpectAsync<NoJob>(socket, timeout.Token);
        await BuilderSocket.SendAsync(socket, new JobRequest([JobKind.Binary], 1), timeout.Token);
        await BuilderSocket.ExpectAsync<NoJob>(socket, timeout.Token);

        using var greedy = await EnrollNewKeyAsync("test-greedy");
        using var other = await ConnectAsync();
        await BuilderSocket.SendAsync(other, Hello(greedy) with { Capacity = 1000 }, timeout.Token);
        Assert.Contains("capacity is 1 to 64 jobs at once, not 1000", await RefusalAsync(other), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_old_protocol_version_is_refused_clearly()
    {
        using var key = await EnrollNewKeyAsync("test-old");
        using var socket = await ConnectAsync();

        await BuilderSocket.SendAsync(socket, Hello(key) with { ProtocolVersion = 0 }, CancellationToken.None);

        Assert.Contains("protocol version 0 is not supported", await RefusalAsync(socket), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enrollment_needs_the_token_and_a_valid_key_and_stores_nothing_otherwise()
    {
        using var http = fixture.CreateClient();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var valid = new EnrollRequest("test-refused", Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), ["x86_64-unknown-linux-gnu"]);

        using var noToken = await http.PostAsJsonAsync("/api/v1/builders/enroll", valid, BuilderJsonContext.Default.EnrollRequest);
        using var badKey = await EnrollAsync(http, valid with { PublicKey = Convert.ToBase64String(new byte[91]) });
        using var badTarget = await EnrollAsync(http, valid with { Targets = ["../../etc/passwd"] });

        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.Contains("public_key", await badKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badTarget.StatusCode);
        await using var db = await fixture.CreateDbContextAsync();
        Assert.False(await db.Builders.AnyAsync(b => b.Name == "test-refused"));
    }

    [Fact]
    public async Task A_plain_http_request_to_the_socket_gets_a_problem_not_a_crash()
    {
        using var http = fixture.CreateClient();

        using var response = await http.GetAsync(new Uri("/api/v1/builders/connect", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static Hello Hello(ECDsa key) =>
        new(BuilderSignature.ProtocolVersion, BuilderSignature.Fingerprint(key.ExportSubjectPublicKeyInfo()), "tests", ["x86_64-unknown-linux-gnu"], JobLifecycle.MaxClaimCount);

    private async Task<ECDsa> EnrollNewKeyAsync(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var http = fixture.CreateClient();
        using var response = await EnrollAsync(http, new EnrollRequest(name, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), ["x86_64-unknown-linux-gnu"]));
        response.EnsureSuccessStatusCode();
        return key;
    }

    private async Task<HttpResponseMessage> EnrollAsync(HttpClient http, EnrollRequest body, string? enrollmentToken = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/builders/enroll")
        {
            Content = JsonContent.Create(body, BuilderJsonContext.Default.EnrollRequest),
        };
        request.Headers.Authorization = new("Bearer", enrollmentToken ?? fixture.Secret("builder-1.enrollment.token"));
        return await http.SendAsync(request);
    }

    private async Task<ClientWebSocket> ConnectAsync()
    {
        var api = fixture.ServerAddress;
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(new Uri($"ws://{api.Authority}/api/v1/builders/connect"), timeout.Token);
        return socket;
    }

    /// <summary>Runs the handshake with the given signing; returns the Api's answer and the signature sent.</summary>
    private static async Task<(BuilderMessage Reply, string Signature)> HandshakeAsync(WebSocket socket, ECDsa key, Func<Challenge, string> sign)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await BuilderSocket.SendAsync(socket, Hello(key), timeout.Token);
        var challenge = await BuilderSocket.ExpectAsync<Challenge>(socket, timeout.Token);
        var signature = sign(challenge);
        await BuilderSocket.SendAsync(socket, new ChallengeResponse(signature), timeout.Token);
        return ((await BuilderSocket.ReceiveAsync(socket, timeout.Token))!, signature);
    }

    private static async Task<string> RefusalAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var refused = Assert.IsType<Refused>(await BuilderSocket.ReceiveAsync(socket, timeout.Token));
        Assert.Null(await BuilderSocket.ReceiveAsync(socket, timeout.Token));
        return refused.Reason;
    }
}
