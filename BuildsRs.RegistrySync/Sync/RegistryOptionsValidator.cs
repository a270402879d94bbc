using Microsoft.Extensions.Options;

namespace BuildsRs.RegistrySync.Sync;

[OptionsValidator]
internal sealed partial class RegistryOptionsValidator : IValidateOptions<RegistryOptions>;
