using Microsoft.AspNetCore.Http.HttpResults;

namespace MxResolver.WebApi;

/// <summary>The two endpoints of the sample.</summary>
internal static class MailEndpoints
{
    /// <summary>How long a client should wait before asking again after a temporary DNS failure.</summary>
    internal static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>GET /mx/{domain}</c>: the resolution as JSON. 200 for every outcome the resolver reports
    /// (a domain that does not exist is an answer, not an error); 400 when the input is not a domain.
    /// </summary>
    public static async Task<Results<Ok<MxResolutionJson>, BadRequest<MxResolutionJson>>> ResolveAsync(
        string domain,
        IMxResolver resolver,
        CancellationToken cancellationToken)
    {
        MxResolution resolution = await resolver.ResolveAsync(domain, cancellationToken);
        MxResolutionJson body = MxResolutionJson.From(resolution);
        return resolution.Status == MxResolutionStatus.InvalidInput ? TypedResults.BadRequest(body) : TypedResults.Ok(body);
    }

    /// <summary>
    /// <c>GET /can-receive-mail?address=user@example.com</c>: whether the domain of the address can
    /// receive mail, for a sign-up form. 200 with <c>canReceiveMail</c> true or false when DNS gave a
    /// definite answer; 503 with <c>Retry-After</c> when it did not (a temporary failure says nothing
    /// about the address: the form should let the user through or ask again, never reject);
    /// 400 when <c>address</c> is missing or not an email address.
    /// </summary>
    public static async Task<IResult> CanReceiveMailAsync(string? address, IMxResolver resolver, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return TypedResults.BadRequest(new CanReceiveMailJson(address, false, "The query parameter 'address' is required.", "invalid-input", true));
        }

        int at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            return TypedResults.BadRequest(new CanReceiveMailJson(address, false, $"'{address}' is not an email address (local-part@domain).", "invalid-input", true));
        }

        MxResolution resolution = await resolver.ResolveAsync(address, cancellationToken);
        string status = MxResolutionJson.StatusName(resolution.Status);
        string domain = resolution.Domain ?? address[(at + 1)..];
        switch (resolution.Status)
        {
            case MxResolutionStatus.Success:
            case MxResolutionStatus.ImplicitMx:
                return TypedResults.Ok(new CanReceiveMailJson(address, true, $"{domain} receives mail at {resolution.Targets[0].Host}.", status, false));

            case MxResolutionStatus.TemporaryFailure:
                context.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Json(
                    new CanReceiveMailJson(address, false, $"The mail servers of {domain} could not be looked up right now (temporary DNS failure); retry later.", status, false),
                    WebApiJsonContext.Default.CanReceiveMailJson,
                    statusCode: StatusCodes.Status503ServiceUnavailable);

            case MxResolutionStatus.InvalidInput:
                return TypedResults.BadRequest(new CanReceiveMailJson(address, false, resolution.Error ?? "Not a valid email address.", status, true));

            default:
                return TypedResults.Ok(new CanReceiveMailJson(address, false, Reason(resolution, domain), status, true));
        }
    }

    private static string Reason(MxResolution resolution, string domain) => resolution.Status switch
    {
        MxResolutionStatus.NullMx => $"{domain} does not accept mail (it publishes a null MX, RFC 7505).",
        MxResolutionStatus.NoSuchDomain => $"The domain {domain} does not exist.",
        MxResolutionStatus.NoMailHost => $"{domain} has no mail server (neither MX nor address records).",
        MxResolutionStatus.NoUsableTarget => $"None of the mail servers of {domain} has a usable address.",
        MxResolutionStatus.LoopsToSelf => $"Mail for {domain} would be delivered back to this host.",
        _ => resolution.Error ?? resolution.Status.ToString(),
    };
}
