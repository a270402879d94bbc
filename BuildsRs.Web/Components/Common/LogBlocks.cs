using System.Text;

namespace BuildsRs.Web.Components.Common;

/// <summary>
/// A log followed live, as a few blocks of text: a chunk joins the last block until that holds
/// <see cref="BlockCharacters"/>. A page shows a log of any line count in at most 1 MiB / 32 KiB + 1 elements, and an
/// update sends only the last block again.
/// </summary>
public sealed class LogBlocks
{
    public const int BlockCharacters = 32 * 1024;

    private readonly List<string> full = [];
    private readonly StringBuilder last = new();

    /// <summary>Characters received so far.</summary>
    public int Length { get; private set; }

    public void Add(string chunk)
    {
        Length += chunk.Length;
        last.Append(chunk);
        if (last.Length >= BlockCharacters)
        {
            full.Add(last.ToString());
            last.Clear();
        }
    }

    public IReadOnlyList<string> Blocks => last.Length == 0 ? full : [.. full, last.ToString()];
}
