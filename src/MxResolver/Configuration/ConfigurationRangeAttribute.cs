using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace MxResolver.Configuration;

/// <summary>
/// An inclusive range of an <see cref="int"/> setting whose message names the configuration key
/// and the offending value, which <see cref="RangeAttribute"/> cannot do.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
internal sealed class ConfigurationRangeAttribute(int minimum, int maximum) : ValidationAttribute
{
    /// <summary>The smallest value allowed.</summary>
    public int Minimum { get; } = minimum;

    /// <summary>The largest value allowed.</summary>
    public int Maximum { get; } = maximum;

    /// <summary>The configuration path of the property's parent, e.g. <c>MxResolver:Cache</c>.</summary>
    public string Section { get; set; } = ConfigurationKeys.Section;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        // null: an optional setting left unset, which means its default.
        if (value is null || (value is int number && number >= Minimum && number <= Maximum))
        {
            return ValidationResult.Success;
        }

        string key = $"{Section}:{validationContext.MemberName}";
        // No member names: the message names the key already, and the options result builder
        // would prefix it with "Property <name>:".
        return new ValidationResult(string.Format(CultureInfo.InvariantCulture, "{0} '{1}' must be between {2} and {3}.", key, value, Minimum, Maximum));
    }
}
