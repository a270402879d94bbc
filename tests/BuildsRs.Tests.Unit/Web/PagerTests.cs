using BuildsRs.Web.Components.Common;
using Bunit;

namespace BuildsRs.Tests.Web;

public sealed class PagerTests : WebComponentContext
{
    [Fact]
    public void A_middle_page_links_to_both_neighbours_and_says_where_it_is()
    {
        var pager = Render<Pager>(p => p.Add(c => c.BaseLink, "/search?q=hex&").Add(c => c.PageNumber, 2).Add(c => c.PerPage, 20).Add(c => c.Total, 41));

        Assert.Equal(["/search?q=hex&page=1", "/search?q=hex&page=3"], pager.FindAll("a").Select(a => a.GetAttribute("href")));
        Assert.Contains("Page 2 of 3", pager.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void The_last_page_has_no_next_link()
    {
        var pager = Render<Pager>(p => p.Add(c => c.BaseLink, "/queue?").Add(c => c.PageNumber, 3).Add(c => c.PerPage, 20).Add(c => c.Total, 41));

        Assert.Equal(["/queue?page=2"], pager.FindAll("a").Select(a => a.GetAttribute("href")));
    }

    [Fact]
    public void One_page_of_results_needs_no_pager()
    {
        var pager = Render<Pager>(p => p.Add(c => c.BaseLink, "/queue?").Add(c => c.PageNumber, 1).Add(c => c.PerPage, 50).Add(c => c.Total, 50));

        Assert.Empty(pager.Markup.Trim());
    }
}
