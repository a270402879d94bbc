using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// The fetch phase's only way out. The fetch container has no network at all (<c>--network none</c>); cargo reaches
/// the registry through this SOCKS5 proxy on a Unix socket in the job's folder, bound into the container (cargo's
/// curl speaks SOCKS over a Unix socket: <c>socks5h://localhost/path</c>). The proxy connects only to the registry's
/// index and download hosts (<see cref="RegistryHosts"/>): whatever else a crate's manifest names (the builder's
/// host, the local network, a cloud metadata address) is refused before a byte leaves, and nothing of it reaches the
/// build's log. A connection to the registry that fails is recorded, so that the job counts as the registry's
/// outage, not as the crate's fault.
/// </summary>
public sealed partial class FetchProxy : IAsyncDisposable
{
    /// <summary>Where the socket is seen inside the fetch container.</summary>
    public const string SandboxFolder = "/proxy";

    /// <summary>Cargo's setting that sends every request through the proxy.</summary>
    public static readonly string CargoSetting = $"--config 'http.proxy=\"socks5h://localhost{SandboxFolder}/{SocketName}\"'";

    private const string SocketName = "fetch.sock";

    /// <summary>Cargo opens a handful of connections at once; more than this is not cargo.</summary>
    private const int MaxConnections = 64;

    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket listener;
    private readonly IReadOnlyDictionary<RegistryHost, RegistryHost> allowed;
    private readonly Func<string, Task> log;
    private readonly CancellationTokenSource stop = new();
    private readonly SemaphoreSlim slots = new(MaxConnections, MaxConnections);
    private readonly ConcurrentDictionary<Task, byte> connections = new();
    private readonly ConcurrentQueue<string> refused = new();
    private readonly Task accepting;
    private string? unreachable;

    private FetchProxy(Socket listener, IReadOnlyDictionary<RegistryHost, RegistryHost> allowed, Func<string, Task> log)
    {
        (this.listener, this.allowed, this.log) = (listener, allowed, log);
        accepting = AcceptAsync();
    }

    /// <summary>The hosts the fetch asked for and did not get, as <c>host:port</c>.</summary>
    public IReadOnlyCollection<string> Refused => refused;

    /// <summary>Why a connection to the registry itself failed, if one did.</summary>
    public string? RegistryUnreachable => Volatile.Read(ref unreachable);

    /// <summary>Listens in <paramref name="folder"/> (a new folder of the job's, to be bound read-only at
    /// <see cref="SandboxFolder"/>) for connections to the hosts of <paramref name="allowed"/>, each made to the address
    /// it maps to; <paramref name="log"/> takes the notes the build's log gets.</summary>
    public static FetchProxy Start(string folder, IReadOnlyDictionary<RegistryHost, RegistryHost> allowed, Func<string, Task> log)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, SocketName);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            // The sandbox's user is not this process's: connecting to a socket needs write permission on it.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            listener.Listen(MaxConnections);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new FetchProxy(listener, allowed, log);
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                await slots.WaitAsync(stop.Token);
                client = await listener.AcceptAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var connection = ServeAsync(client);
            connections.TryAdd(connection, 0);
            _ = connection.ContinueWith(done =>
            {
                connections.TryRemove(done, out _);
                slots.Release();
            }, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        await using var stream = new NetworkStream(client, ownsSocket: false);
        try
        {
            RegistryHost wanted;
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
            {
                handshake.CancelAfter(HandshakeTimeout);
                if (await ReadRequestAsync(stream, handshake.Token) is not { } requested)
                {
                    return;
                }
                wanted = requested;
            }
            if (!allowed.TryGetValue(wanted, out var reached))
            {
                refused.Enqueue(wanted.ToString());
                await ReplyAsync(stream, NotAllowed);
                await log($"[buildsrs] refused a connection to {wanted}: the fetch may reach the registry and nothing else\n");
                return;
            }
            using var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await upstream.ConnectAsync(reached.Host, reached.Port, stop.Token);
            }
            catch (SocketException ex)
            {
                Interlocked.CompareExchange(ref unreachable, $"{wanted}: {ex.Message}", null);
                await ReplyAsync(stream, ex.SocketErrorCode == SocketError.ConnectionRefused ? ConnectionRefused : HostUnreachable);
                return;
            }
            await ReplyAsync(stream, Succeeded);
            await using var remote = new NetworkStream(upstream, ownsSocket: false);
            await Task.WhenAll(PumpAsync(stream, upstream, remote), PumpAsync(remote, client, stream));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The fetch went away, or the phase ended: the connection ends with it.
        }
    }

    /// <summary>Copies one direction until it ends, then tells the other side that nothing more comes.</summary>
    private async Task PumpAsync(Stream from, Socket toSocket, Stream to)
    {
        await from.CopyToAsync(to, stop.Token);
        toSocket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>The SOCKS5 greeting (no authentication) and a CONNECT request; null for anything else, which is
    /// answered and ended.</summary>
    private static async Task<RegistryHost?> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[2];
        await stream.ReadExactlyAsync(header, cancellationToken);
        var methods = new byte[header[1]];
        await stream.ReadExactlyAsync(methods, cancellationToken);
        if (header[0] != 5 || !methods.Contains((byte)0))
        {
            await stream.WriteAsync(new byte[] { 5, 0xFF }, cancellationToken);
            return null;
        }
        await stream.WriteAsync(new byte[] { 5, 0 }, cancellationToken);
        var request = new byte[4];
        await stream.ReadExactlyAsync(request, cancellationToken);
        string host;
        switch (request[3])
        {
            case 1:
                host = new IPAddress(await ReadAsync(stream, 4, cancellationToken)).ToString();
                break;
            case 4:
                host = new IPAddress(await ReadAsync(stream, 16, cancellationToken)).ToString();
                break;
            case 3:
                var length = (await ReadAsync(stream, 1, cancellationToken))[0];
                host = Encoding.ASCII.GetString(await ReadAsync(stream, length, cancellationToken));
                break;
            default:
                await ReplyAsync(stream, AddressNotSupported);
                return null;
        }
        var port = BinaryPrimitives.ReadUInt16BigEndian(await ReadAsync(stream, 2, cancellationToken));
        if (request[0] != 5 || request[1] != 1)
        {
            await ReplyAsync(stream, CommandNotSupported);
            return null;
        }
        return RegistryHost.Of(host, port);
    }

    private static async Task<byte[]> ReadAsync(Stream stream, int count, CancellationToken cancellationToken)
    {
        var bytes = new byte[count];
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }

    private const byte Succeeded = 0, NotAllowed = 2, HostUnreachable = 4, ConnectionRefused = 5, CommandNotSupported = 7, AddressNotSupported = 8;

    private static async Task ReplyAsync(Stream stream, byte reply) =>
        await stream.WriteAsync(new byte[] { 5, reply, 0, 1, 0, 0, 0, 0, 0, 0 });

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Dispose();
        await accepting;
        await Task.WhenAll(connections.Keys);
        stop.Dispose();
        slots.Dispose();
    }
}
