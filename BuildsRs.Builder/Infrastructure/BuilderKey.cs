using System.Security.Cryptography;
using BuildsRs.Contracts.Builders;

namespace BuildsRs.Builder.Infrastructure;

/// <summary>
/// This builder's ECDSA P-256 key, generated on first start and kept on disk. Several builders on one machine each
/// lock a key file of their own (<c>builder-N.pem</c>), so replicas get distinct, stable identities.
/// </summary>
public sealed class BuilderKey : IDisposable
{
    private readonly FileStream lockFile;

    private BuilderKey(ECDsa key, FileStream lockFile, string name)
    {
        Key = key;
        this.lockFile = lockFile;
        Name = name;
        PublicKey = key.ExportSubjectPublicKeyInfo();
        Fingerprint = BuilderSignature.Fingerprint(PublicKey);
    }

    public ECDsa Key { get; }
    public byte[] PublicKey { get; }
    public string Name { get; }

    /// <summary>Stays with the key file, whichever process or container holds it.</summary>
    public string Fingerprint { get; }

    /// <summary>The first key of <paramref name="directory"/> no other builder holds; the builder is named
    /// <c>{namePrefix}-{slot}</c>.</summary>
    public static BuilderKey Acquire(string directory, string namePrefix)
    {
        Directory.CreateDirectory(directory);
        for (var slot = 0; ; slot++)
        {
            FileStream lockFile;
            try
            {
                lockFile = new FileStream(Path.Combine(directory, $"builder-{slot}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                continue; // another builder holds this slot
            }
            var path = Path.Combine(directory, $"builder-{slot}.pem");
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            if (File.Exists(path))
            {
                key.ImportFromPem(File.ReadAllText(path));
            }
            else
            {
                File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }
            return new BuilderKey(key, lockFile, $"{namePrefix}-{slot}");
        }
    }

    public void Dispose()
    {
        Key.Dispose();
        lockFile.Dispose();
    }
}
