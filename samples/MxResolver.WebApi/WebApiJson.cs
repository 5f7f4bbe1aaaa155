using System.Text.Json;
using System.Text.Json.Serialization;

namespace MxResolver.WebApi;

/// <summary>A resolution as JSON: the field names of <c>mxlookup --json</c>, plus <c>stale</c>.</summary>
internal sealed record MxResolutionJson(
    string Input,
    string? Domain,
    string? AsciiDomain,
    string Status,
    bool Permanent,
    string? EnhancedStatusCode,
    IReadOnlyList<MxTargetJson> Targets,
    IReadOnlyList<string> Warnings,
    string? Error,
    long? TtlSeconds,
    bool Stale)
{
    private static readonly string[] StatusNames =
    [
        "success", "implicit-mx", "null-mx", "no-such-domain", "no-mail-host", "no-usable-target", "loops-to-self", "temporary-failure", "invalid-input",
    ];

    public static MxResolutionJson From(MxResolution resolution) => new(
        resolution.Input,
        resolution.Domain,
        resolution.AsciiDomain,
        StatusName(resolution.Status),
        resolution.IsPermanentFailure,
        resolution.EnhancedStatusCode,
        resolution.Targets.Select(target => new MxTargetJson(target.Host, target.Preference, target.IsImplicit, target.Addresses.Select(address => address.ToString()).ToArray())).ToArray(),
        resolution.Warnings,
        resolution.Error,
        resolution.TimeToLive is { } ttl ? (long)ttl.TotalSeconds : null,
        resolution.IsStale);

    /// <summary>The kebab-case status: <c>success</c>, <c>implicit-mx</c>, ..., <c>invalid-input</c>.</summary>
    public static string StatusName(MxResolutionStatus status)
        => (uint)status < (uint)StatusNames.Length ? StatusNames[(int)status] : status.ToString();
}

/// <summary>A target as JSON.</summary>
internal sealed record MxTargetJson(string Host, int Preference, bool Implicit, IReadOnlyList<string> Addresses);

/// <summary>The answer of <c>/can-receive-mail</c>.</summary>
internal sealed record CanReceiveMailJson(string? Address, bool CanReceiveMail, string Reason, string Status, bool Permanent);

/// <summary>Source-generated serialization (no reflection; AOT-friendly), camelCase like ASP.NET's defaults.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MxResolutionJson))]
[JsonSerializable(typeof(CanReceiveMailJson))]
internal sealed partial class WebApiJsonContext : JsonSerializerContext;
