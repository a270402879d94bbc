using System.Diagnostics;

namespace BuildsRs.Api.Infrastructure;

internal static class ApiTelemetry
{
    public const string SourceName = "BuildsRs.Api";
    public static readonly ActivitySource Source = new(SourceName);
}
