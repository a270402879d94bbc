using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Data;

/// <summary>
/// The one clock of stored times: the database's. Jobs, leases, last-seen times and download days are written with
/// <c>now()</c>, so whatever compares with them asks the database too, never the clock of whichever instance answers.
/// </summary>
public static class DatabaseClock
{
    /// <summary>Today in UTC, by the database's clock.</summary>
    public static async Task<DateOnly> TodayAsync(BuildsRsDbContext db, CancellationToken cancellationToken) =>
        (await db.Database.SqlQueryRaw<DateOnly>("SELECT (now() AT TIME ZONE 'UTC')::date AS \"Value\"").ToListAsync(cancellationToken))[0];
}
