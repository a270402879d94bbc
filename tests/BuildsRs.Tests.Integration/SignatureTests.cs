using System.Security.Cryptography;
using BuildsRs.Api.Trust;
using BuildsRs.Tests.Fixtures;
using Microsoft.Extensions.Options;

namespace BuildsRs.Tests.Integration;

/// <summary>The Api's signatures as users check them: with Debian's minisign, against the published key.</summary>
public sealed class SignatureTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("buildsrs-tests-signatures-").FullName;
    private readonly ArtifactSigner signer = Signer("a secret of the tests, long enough to be a key");

    public void Dispose()
    {
        signer.Dispose();
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task A_signature_verifies_with_minisign_and_names_what_it_signs_in_its_trusted_comment()
    {
        var file = await SignedFileAsync(signer, "demo-1.0.0-x86_64-unknown-linux-gnu.tar.gz");

        var (exitCode, output, errors) = await Processes.RunAsync("minisign", "-Vm", file, "-P", signer.PublicKey);

        Assert.True(exitCode == 0, errors);
        Assert.Contains("Signature and comment signature verified", output, StringComparison.Ordinal);
        Assert.Contains("Trusted comment: file:demo-1.0.0-x86_64-unknown-linux-gnu.tar.gz\tsha256:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_public_key_file_is_the_one_minisign_reads()
    {
        var file = await SignedFileAsync(signer, "demo.tar.gz");
        var key = Path.Combine(work, "signing-key.pub");
        await File.WriteAllTextAsync(key, signer.PublicKeyFile);

        var (exitCode, _, errors) = await Processes.RunAsync("minisign", "-Vm", file, "-p", key);

        Assert.True(exitCode == 0, errors);
        Assert.StartsWith($"untrusted comment: minisign public key {signer.KeyId}\n", signer.PublicKeyFile, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_modified_file_or_another_key_fails_the_check()
    {
        var file = await SignedFileAsync(signer, "demo.tar.gz");
        using var other = Signer("another secret, which gives another key entirely");

        var otherKey = await Processes.RunAsync("minisign", "-Vm", file, "-P", other.PublicKey);
        await using (var stream = File.OpenWrite(file))
        {
            stream.Position = 100;
            stream.WriteByte(0x42);
        }
        var modified = await Processes.RunAsync("minisign", "-Vm", file, "-P", signer.PublicKey);

        Assert.NotEqual(0, otherKey.ExitCode);
        Assert.NotEqual(other.KeyId, signer.KeyId);
        Assert.NotEqual(0, modified.ExitCode);
        Assert.Contains("Signature verification failed", modified.Errors + modified.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_secret_always_gives_the_same_key()
    {
        using var again = Signer("a secret of the tests, long enough to be a key");

        Assert.Equal((signer.PublicKey, signer.KeyId), (again.PublicKey, again.KeyId));
        Assert.Equal(signer.KeyId, MinisignKeys.IdOf(signer.PublicKey));
    }

    /// <summary>A file of random bytes and its .minisig, signed as the Api signs an upload.</summary>
    private async Task<string> SignedFileAsync(ArtifactSigner by, string name)
    {
        var path = Path.Combine(work, name);
        var content = RandomNumberGenerator.GetBytes(300_000);
        await File.WriteAllBytesAsync(path, content);
        var digest = NSec.Cryptography.HashAlgorithm.Blake2b_512.Hash(content);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        await File.WriteAllTextAsync(path + ".minisig", by.Sign(digest, $"file:{name}\tsha256:{sha256}"));
        return path;
    }

    private static ArtifactSigner Signer(string secret) => new(Options.Create(new SigningOptions { SecretKey = secret }));
}
