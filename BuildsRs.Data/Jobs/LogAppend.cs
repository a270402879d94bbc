namespace BuildsRs.Data.Jobs;

/// <summary>What became of a log chunk a builder sent.</summary>
public enum LogAppend
{
    /// <summary>Stored, and there is room for more.</summary>
    Stored = 0,

    /// <summary>The job's log is at its cap: this chunk was cut or dropped, and so will every later one be.</summary>
    Full = 1,

    /// <summary>The builder does not hold the job: nothing was stored.</summary>
    NotHeld = 2,
}
