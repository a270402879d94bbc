namespace BuildsRs.Tests.Fixtures;

/// <summary>For what records time in whole seconds: waits until the clock has moved on to the next second, no longer.</summary>
public static class WallClock
{
    public static async Task NextSecondAsync()
    {
        var second = DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond;
        while (DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond == second)
        {
            await Task.Delay(TimeSpan.FromTicks(TimeSpan.TicksPerSecond - DateTime.UtcNow.Ticks % TimeSpan.TicksPerSecond) + TimeSpan.FromMilliseconds(5));
        }
    }
}
