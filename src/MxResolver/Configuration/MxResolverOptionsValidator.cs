using Microsoft.Extensions.Options;

namespace MxResolver.Configuration;

/// <summary>
/// Checks the data-annotation attributes of <see cref="MxResolverOptions"/> and its nested
/// options (ranges of counts and caps). The implementation is source-generated, so validation
/// needs no reflection and stays trimming- and AOT-safe.
/// </summary>
[OptionsValidator]
internal sealed partial class MxResolverOptionsValidator : IValidateOptions<MxResolverOptions>
{
}
