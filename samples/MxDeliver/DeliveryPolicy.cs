using MxResolver;

namespace MxDeliver;

/// <summary>
/// Turns what the security resolver decided for one MX target (<see cref="MxSecureTarget"/>, handed
/// over in <see cref="MxDestination.Security"/>) into the TLS requirement <see cref="SmtpDelivery"/>
/// applies (<see cref="DeliveryTls"/>). One instance serves every attempt of a delivery.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>target</term><description>session</description></listheader>
/// <item><term><see cref="MxTlsRequirement.Dane"/></term><description>STARTTLS required, the certificate checked by <see cref="DaneVerifier"/> against the target's TLSA records and reference identifiers (RFC 7672 §3).</description></item>
/// <item><term><see cref="MxTlsRequirement.MtaSts"/></term><description>STARTTLS required, a PKIX-valid certificate naming the MX host (RFC 8461 §4.2).</description></item>
/// <item><term><see cref="MxTlsRequirement.MandatoryUnauthenticated"/></term><description>STARTTLS required, any certificate (RFC 7672 §2.2).</description></item>
/// <item><term><see cref="MxTlsRequirement.Opportunistic"/>, or no policy</term><description>STARTTLS when offered, no certificate check, plaintext otherwise (RFC 7435).</description></item>
/// </list>
/// </remarks>
internal sealed class DeliveryPolicy(DaneVerifier verifier)
{
    private readonly DaneVerifier _verifier = verifier ?? throw new ArgumentNullException(nameof(verifier));

    /// <summary>The TLS requirement for one target.</summary>
    /// <param name="target">
    /// What the security resolver decided for the target; <see langword="null"/> when no policy was
    /// looked up (<c>--no-policy</c>, or a connector call without one), which means opportunistic TLS.
    /// </param>
    /// <returns>The requirement to deliver under.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="target"/> may not be attempted now (<see cref="MxSecureTarget.CanAttempt"/>: the
    /// connector never hands such a target over, and there is no requirement to give it), or its
    /// requirement is one this sample does not know.
    /// </exception>
    public DeliveryTls For(MxSecureTarget? target)
    {
        if (target is null)
        {
            return DeliveryTls.Opportunistic;
        }

        if (!target.CanAttempt)
        {
            throw new ArgumentException($"The target may not be attempted: {target.SkipReason}", nameof(target));
        }

        return target.Requirement switch
        {
            MxTlsRequirement.Dane => DeliveryTls.Dane(_verifier, target.TlsaRecords, target.ReferenceIdentifiers),
            MxTlsRequirement.MtaSts => DeliveryTls.MtaSts(target.Target.Host),
            MxTlsRequirement.MandatoryUnauthenticated => DeliveryTls.MandatoryUnauthenticated,
            MxTlsRequirement.Opportunistic => DeliveryTls.Opportunistic,

            // A requirement this sample does not know could be stricter than any above: never guess downwards.
            _ => throw new ArgumentException($"Unknown TLS requirement {target.Requirement}.", nameof(target)),
        };
    }
}
