using BuildsRs.Web.Components.Common;

namespace BuildsRs.Tests.Unit;

/// <summary>A live log page holds a few blocks of text, however many chunks and lines the log arrives in.</summary>
public sealed class LogBlocksTests
{
    [Fact]
    public void A_log_of_a_million_lines_is_a_few_dozen_blocks_that_keep_its_text_in_order()
    {
        var blocks = new LogBlocks();
        var lines = Enumerable.Range(0, 1_000_000).Select(i => $"w{i}\n").ToList();

        foreach (var line in lines)
        {
            blocks.Add(line);
        }

        var text = string.Concat(lines);
        Assert.InRange(blocks.Blocks.Count, text.Length / LogBlocks.BlockCharacters - 1, text.Length / LogBlocks.BlockCharacters + 1);
        Assert.Equal(text, string.Concat(blocks.Blocks));
        Assert.Equal(text.Length, blocks.Length);
    }
}
