using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Api;

/// <summary>The public API's JSON: snake_case, like crates.io's and the registry index's.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Page<CrateSummary>))]
[JsonSerializable(typeof(CrateDetails))]
[JsonSerializable(typeof(VersionDetails))]
[JsonSerializable(typeof(JobDetails))]
[JsonSerializable(typeof(QueueView))]
[JsonSerializable(typeof(IReadOnlyList<FleetBuilder>))]
[JsonSerializable(typeof(Statistics))]
[JsonSerializable(typeof(Overview))]
[JsonSerializable(typeof(RebuildRequest))]
[JsonSerializable(typeof(RebuildResponse))]
[JsonSerializable(typeof(CancelResponse))]
[JsonSerializable(typeof(TargetSetting))]
[JsonSerializable(typeof(IReadOnlyList<TargetSetting>))]
[JsonSerializable(typeof(QueueLockState))]
[JsonSerializable(typeof(SigningKeys))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
