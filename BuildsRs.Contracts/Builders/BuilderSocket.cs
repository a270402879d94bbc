using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace BuildsRs.Contracts.Builders;

/// <summary>The protocol's framing: one message per WebSocket text message, UTF-8 JSON, at most <see cref="MaxMessageBytes"/>.</summary>
public static class BuilderSocket
{
    public const int MaxMessageBytes = 1024 * 1024;

    public static Task SendAsync(WebSocket socket, BuilderMessage message, CancellationToken cancellationToken) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, BuilderJsonContext.Default.BuilderMessage),
            WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>The next message, or null when the peer closed the connection.</summary>
    /// <exception cref="BuilderProtocolException">The message is not a protocol message, or too large.</exception>
    public static async Task<BuilderMessage?> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(4096), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            buffer.Advance(result.Count);
            if (buffer.WrittenCount > MaxMessageBytes)
            {
                throw new BuilderProtocolException($"a message is larger than {MaxMessageBytes} bytes");
            }
            if (result.EndOfMessage)
            {
                break;
            }
        }
        try
        {
            return JsonSerializer.Deserialize(buffer.WrittenSpan, BuilderJsonContext.Default.BuilderMessage)
                ?? throw new BuilderProtocolException("an empty message");
        }
        catch (JsonException ex)
        {
            throw new BuilderProtocolException($"a malformed message: {ex.Message}");
        }
        catch (NotSupportedException ex)
        {
            throw new BuilderProtocolException($"an unknown message type: {ex.Message}");
        }
    }

    /// <summary>Receives the next message and requires it to be a <typeparamref name="T"/>.</summary>
    public static async Task<T> ExpectAsync<T>(WebSocket socket, CancellationToken cancellationToken) where T : BuilderMessage =>
        await ReceiveAsync(socket, cancellationToken) switch
        {
            T expected => expected,
            null => throw new BuilderProtocolException($"the connection closed before '{typeof(T).Name}'"),
            Refused refused => throw new BuilderProtocolException($"refused: {refused.Reason}"),
            var other => throw new BuilderProtocolException($"expected '{typeof(T).Name}', got '{other.GetType().Name}'"),
        };
}
