namespace BuildsRs.Builder.Infrastructure;

/// <summary>Whether this builder is connected to the Api, for its health report.</summary>
public sealed class ApiConnectionState
{
    public bool Connected { get; private set; }
    public string Detail { get; private set; } = "not connected yet";

    public void Up(string name) => (Connected, Detail) = (true, $"connected as '{name}'");

    public void Down(string reason) => (Connected, Detail) = (false, reason);
}
