using Microsoft.Extensions.Options;

namespace BuildsRs.Builder;

[OptionsValidator]
internal sealed partial class BuilderOptionsValidator : IValidateOptions<BuilderOptions>;
