using Microsoft.Extensions.Options;

namespace MxResolver.Configuration;

/// <summary>
/// Runs <see cref="OptionsRules"/> over the options the container builds (the dependency-injection
/// face of the one rule set; the constructors run the same rules and throw the same messages).
/// </summary>
internal sealed class MxResolverOptionsValidator : IValidateOptions<MxResolverOptions>
{
    public ValidateOptionsResult Validate(string? name, MxResolverOptions options)
    {
        if (name is not null && name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip; // the library registers and reads only the default options
        }

        List<string> failures = OptionsRules.Check(options, includeFailover: true);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
