namespace MxResolver.Configuration;

/// <summary>Where the options sit in configuration: the section the DI layer binds and error messages name.</summary>
internal static class ConfigurationKeys
{
    /// <summary>The configuration section of <see cref="MxResolverOptions"/>: <c>MxResolver</c>.</summary>
    public const string Section = "MxResolver";
}
