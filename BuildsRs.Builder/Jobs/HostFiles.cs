using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// Reads what a sandbox left in a folder of the builder's host without trusting it. A build can leave a link, a named
/// pipe, a socket or a device where a file is expected; .NET's file APIs follow links and block on a pipe. Here a path
/// is looked at with <c>lstat</c> (the entry itself, never what it points to), and a file is opened with
/// <c>O_NOFOLLOW | O_NONBLOCK</c> and checked again on the open descriptor, so that nothing is followed and nothing
/// blocks, whatever was swapped in between.
/// </summary>
public static partial class HostFiles
{
    public enum Kind { Missing, Regular, Directory, Link, NamedPipe, Socket, CharacterDevice, BlockDevice, Other }

    /// <summary>What the entry at <paramref name="path"/> is, without following a link.</summary>
    public static Kind KindOf(string path)
    {
        Span<byte> status = stackalloc byte[StatxSize];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, status) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error is ENOENT or ENOTDIR ? Kind.Missing : throw new IOException($"cannot look at {path}: {Marshal.GetPInvokeErrorMessage(error)}");
        }
        return KindOfMode(BinaryPrimitives.ReadUInt16LittleEndian(status[ModeOffset..]));
    }

    /// <summary>How people read a kind in an outcome: "a named pipe", "a link".</summary>
    public static string Describe(Kind kind) => kind switch
    {
        Kind.Regular => "a file",
        Kind.Directory => "a folder",
        Kind.Link => "a link",
        Kind.NamedPipe => "a named pipe",
        Kind.Socket => "a socket",
        Kind.CharacterDevice => "a character device",
        Kind.BlockDevice => "a block device",
        Kind.Missing => "nothing",
        _ => "a special file",
    };

    /// <summary>Opens a regular file for reading; anything else (a link included, at the last step of the path) throws
    /// <see cref="IOException"/> naming what it is.</summary>
    public static FileStream OpenRegular(string path)
    {
        var kind = KindOf(path);
        if (kind != Kind.Regular)
        {
            throw new NotARegularFileException(path, kind);
        }
        var descriptor = Open(path, ORdOnly | ONoFollow | ONonBlock | OCloExec | ONoCtty);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        Span<byte> status = stackalloc byte[StatxSize];
        if (Statx(descriptor, "", AtEmptyPath, StatxType, status) != 0)
        {
            handle.Dispose();
            throw new IOException($"cannot look at {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        if (KindOfMode(BinaryPrimitives.ReadUInt16LittleEndian(status[ModeOffset..])) is var opened and not Kind.Regular)
        {
            handle.Dispose();
            throw new NotARegularFileException(path, opened);
        }
        return new FileStream(handle, FileAccess.Read);
    }

    /// <summary>A regular file's text, at most <paramref name="maxBytes"/> of it.</summary>
    public static async Task<string> ReadTextAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        await using var file = OpenRegular(path);
        if (file.Length > maxBytes)
        {
            throw new IOException($"{path} is larger than {maxBytes} bytes");
        }
        using var reader = new StreamReader(file);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static Kind KindOfMode(ushort mode) => (mode & 0xF000) switch
    {
        0x8000 => Kind.Regular,
        0x4000 => Kind.Directory,
        0xA000 => Kind.Link,
        0x1000 => Kind.NamedPipe,
        0xC000 => Kind.Socket,
        0x2000 => Kind.CharacterDevice,
        0x6000 => Kind.BlockDevice,
        _ => Kind.Other,
    };

    // statx(2) has one layout on every architecture (unlike stat), so its mode can be read at a fixed offset.
    private const int StatxSize = 256;
    private const int ModeOffset = 28;
    private const uint StatxType = 0x1;
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int ORdOnly = 0;
    private const int ONoCtty = 0x100;
    private const int ONonBlock = 0x800;
    // O_NOFOLLOW is one of the flags whose value differs between architectures.
    private static readonly int ONoFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;
    private const int OCloExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, Span<byte> status);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);
}

/// <summary>A path where a regular file was expected holds something else.</summary>
public sealed class NotARegularFileException(string path, HostFiles.Kind kind)
    : IOException($"{path} is {HostFiles.Describe(kind)}, not a regular file")
{
    public HostFiles.Kind Kind { get; } = kind;
}
