using System.Net;
using MxResolver.Policy;

namespace MxResolver;

/// <summary>
/// One failed TLS session as a TLS-RPT <c>failure-details</c> entry (RFC 8460 §4.3, §4.4): the
/// result type and where it happened. Failures with equal fields are counted together in
/// <c>failed-session-count</c>. Immutable; equal when every field is equal.
/// </summary>
public sealed class TlsRptFailure : IEquatable<TlsRptFailure>
{
    /// <summary>Creates a failure description.</summary>
    /// <param name="resultType">Why the session failed.</param>
    /// <param name="sendingMtaIp">The address the sender connected from (<c>sending-mta-ip</c>); <see langword="null"/> when unknown.</param>
    /// <param name="receivingMxHostname">The MX host name connected to (<c>receiving-mx-hostname</c>); <see langword="null"/> when there was none (e.g. a policy fetch error).</param>
    /// <param name="receivingIp">The address connected to (<c>receiving-ip</c>); <see langword="null"/> when unknown.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="resultType"/> is not defined.</exception>
    public TlsRptFailure(TlsRptResultType resultType, IPAddress? sendingMtaIp, string? receivingMxHostname, IPAddress? receivingIp)
    {
        if (!TlsRptNames.IsDefined(resultType))
        {
            throw new ArgumentOutOfRangeException(nameof(resultType), resultType, "Not a TLS-RPT result type.");
        }

        ResultType = resultType;
        SendingMtaIp = sendingMtaIp;
        ReceivingMxHostname = receivingMxHostname;
        ReceivingIp = receivingIp;
    }

    /// <summary>The <c>result-type</c> (RFC 8460 §4.3).</summary>
    public TlsRptResultType ResultType { get; }

    /// <summary>The <c>sending-mta-ip</c> (RFC 8460 §4.3); omitted from the report when <see langword="null"/>.</summary>
    public IPAddress? SendingMtaIp { get; }

    /// <summary>The <c>receiving-mx-hostname</c> (RFC 8460 §4.3); omitted from the report when <see langword="null"/>.</summary>
    public string? ReceivingMxHostname { get; }

    /// <summary>The <c>receiving-ip</c> (RFC 8460 §4.3); omitted from the report when <see langword="null"/>.</summary>
    public IPAddress? ReceivingIp { get; }

    /// <summary>The <c>receiving-mx-helo</c>: the name the MX gave in its greeting (RFC 8460 §4.3); optional.</summary>
    public string? ReceivingMxHelo { get; init; }

    /// <summary>The <c>additional-information</c>: a URI with more detail (RFC 8460 §4.3); optional.</summary>
    public string? AdditionalInformation { get; init; }

    /// <summary>The <c>failure-reason-code</c>: an implementation's own code for the failure (RFC 8460 §4.3); optional.</summary>
    public string? FailureReasonCode { get; init; }

    /// <inheritdoc/>
    public bool Equals(TlsRptFailure? other) =>
        other is not null
        && ResultType == other.ResultType
        && Equals(SendingMtaIp, other.SendingMtaIp)
        && string.Equals(ReceivingMxHostname, other.ReceivingMxHostname, StringComparison.Ordinal)
        && Equals(ReceivingIp, other.ReceivingIp)
        && string.Equals(ReceivingMxHelo, other.ReceivingMxHelo, StringComparison.Ordinal)
        && string.Equals(AdditionalInformation, other.AdditionalInformation, StringComparison.Ordinal)
        && string.Equals(FailureReasonCode, other.FailureReasonCode, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TlsRptFailure);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        HashCode.Combine(ResultType, SendingMtaIp, ReceivingMxHostname, ReceivingIp, ReceivingMxHelo, AdditionalInformation, FailureReasonCode);

    /// <summary>A one-line form: result type, MX host and addresses.</summary>
    public override string ToString() => $"{TlsRptNames.Of(ResultType)} mx={ReceivingMxHostname} from={SendingMtaIp} to={ReceivingIp}";
}
