using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace BuildsRs.Tests.Fixtures;

/// <summary>
/// <c>.crate</c> files made by hand, as an attacker makes them (a registry may store any archive, not only what
/// <c>cargo package</c> writes), and the publish request of cargo's registry API that carries one.
/// </summary>
public static class HandMadeCrates
{
    public static byte[] Pack(params TarEntry[] entries)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var entry in entries)
            {
                tar.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    public static PaxTarEntry File(string name, string content) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };

    public static PaxTarEntry Link(string name, string target) => new(TarEntryType.SymbolicLink, name) { LinkName = target };

    /// <summary>A minimal binary crate's manifest with <paramref name="more"/> after its package table.</summary>
    public static string Manifest(string name, string version, string more = "") =>
        $"[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n\n{more}\n";

    /// <summary>cargo's publish request: the length-prefixed metadata JSON, then the length-prefixed <c>.crate</c>.</summary>
    public static HttpRequestMessage PublishRequest(string json, byte[] crate, string token)
    {
        var metadata = Encoding.UTF8.GetBytes(json);
        var body = new byte[8 + metadata.Length + crate.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)metadata.Length);
        metadata.CopyTo(body, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4 + metadata.Length), (uint)crate.Length);
        crate.CopyTo(body, 8 + metadata.Length);
        var request = new HttpRequestMessage(HttpMethod.Put, "api/v1/crates/new") { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("Authorization", token);
        // As cargo (through curl) does for large bodies: the registry can refuse before the upload is sent.
        request.Headers.ExpectContinue = true;
        return request;
    }
}
