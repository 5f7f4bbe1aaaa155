using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MxResolver;

namespace MxLookup;

/// <summary>
/// <c>--security</c> output: per target the DNSSEC status of its addresses, its TLSA records, the
/// DANE outcome and the TLS requirement; for the domain the MTA-STS policy (id, mode, patterns,
/// where it came from) and the TLS-RPT record.
/// </summary>
internal static class SecurityPrinter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The text block printed after the resolution's own block.</summary>
    public static void WriteText(TextWriter writer, MxSecureResolution secure)
    {
        writer.WriteLine($"  dnssec: MX {(secure.IsMxSecure ? "secure" : "insecure")}");
        foreach (MxSecureTarget target in secure.Targets)
        {
            writer.WriteLine($"  {target.Target.Host}: {Requirement(target.Requirement)}, addresses {(target.Target.IsSecure ? "secure" : "insecure")}, dane {Dane(target.Dane)}"
                + (target.CanAttempt ? string.Empty : $", not attempted: {target.SkipReason}"));
            foreach (TlsaAssociation record in target.TlsaRecords)
            {
                writer.WriteLine($"    tlsa {target.TlsaName} {record}{(record.IsUsableForSmtp ? string.Empty : " (unusable)")}");
            }
        }

        foreach (MxSecureTarget dropped in secure.DroppedByPolicy)
        {
            writer.WriteLine($"  {dropped.Target.Host}: dropped, not in the MTA-STS policy");
        }

        if (secure.MtaStsPolicy is { } policy)
        {
            writer.WriteLine($"  mta-sts: id {policy.Id}, mode {Mode(policy.Policy.Mode)}, max_age {(long)policy.Policy.MaxAge.TotalSeconds} s, mx {string.Join(", ", policy.Policy.MxPatterns)} ({(secure.MtaStsFetched ? "fetched" : "from the policy store")})");
        }
        else
        {
            writer.WriteLine("  mta-sts: none");
        }

        if (secure.MtaStsError is { } error)
        {
            writer.WriteLine($"  mta-sts error: {error}");
        }

        writer.WriteLine(secure.TlsRpt is { } tlsRpt ? $"  tls-rpt: {string.Join(", ", tlsRpt.ReportUris)}" : "  tls-rpt: none");
    }

    /// <summary>One JSON object on one line: the resolution's fields plus <c>security</c>.</summary>
    public static void WriteJson(TextWriter writer, MxSecureResolution secure)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("input", secure.Resolution.Input);
            json.WriteString("asciiDomain", secure.Resolution.AsciiDomain);
            json.WriteString("status", ResolutionPrinter.StatusName(secure.Resolution.Status));
            json.WriteBoolean("mxSecure", secure.IsMxSecure);
            json.WriteBoolean("canDeliver", secure.CanDeliver);
            json.WriteStartArray("targets");
            foreach (MxSecureTarget target in secure.Targets)
            {
                WriteTarget(json, target, dropped: false);
            }

            foreach (MxSecureTarget target in secure.DroppedByPolicy)
            {
                WriteTarget(json, target, dropped: true);
            }

            json.WriteEndArray();
            json.WriteStartObject("mtaSts");
            if (secure.MtaStsPolicy is { } policy)
            {
                json.WriteString("id", policy.Id);
                json.WriteString("mode", Mode(policy.Policy.Mode));
                json.WriteNumber("maxAgeSeconds", (long)policy.Policy.MaxAge.TotalSeconds);
                json.WriteStartArray("mx");
                foreach (string pattern in policy.Policy.MxPatterns)
                {
                    json.WriteStringValue(pattern);
                }

                json.WriteEndArray();
                json.WriteBoolean("fetched", secure.MtaStsFetched);
            }

            json.WriteString("error", secure.MtaStsError);
            json.WriteEndObject();
            json.WriteStartArray("tlsRpt");
            foreach (Uri uri in secure.TlsRpt?.ReportUris ?? [])
            {
                json.WriteStringValue(uri.ToString());
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static void WriteTarget(Utf8JsonWriter json, MxSecureTarget target, bool dropped)
    {
        json.WriteStartObject();
        json.WriteString("host", target.Target.Host);
        json.WriteNumber("preference", target.Target.Preference);
        json.WriteBoolean("addressesSecure", target.Target.IsSecure);
        json.WriteString("requirement", dropped ? "dropped-by-mta-sts" : Requirement(target.Requirement));
        json.WriteString("dane", Dane(target.Dane));
        json.WriteBoolean("attempt", !dropped && target.CanAttempt);
        json.WriteString("skipReason", target.SkipReason);
        json.WriteStartArray("tlsa");
        foreach (TlsaAssociation record in target.TlsaRecords)
        {
            json.WriteStringValue(record.ToString());
        }

        json.WriteEndArray();
        json.WriteStartArray("referenceIdentifiers");
        foreach (string name in target.ReferenceIdentifiers)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Requirement(MxTlsRequirement requirement) => requirement switch
    {
        MxTlsRequirement.Dane => "dane",
        MxTlsRequirement.MandatoryUnauthenticated => "tls-mandatory-unauthenticated",
        MxTlsRequirement.MtaSts => "mta-sts",
        _ => "opportunistic",
    };

    private static string Dane(DaneStatus status) => status switch
    {
        DaneStatus.Usable => "usable",
        DaneStatus.Unusable => "unusable",
        DaneStatus.NoRecords => "no-records",
        DaneStatus.LookupFailed => "lookup-failed",
        _ => "not-applicable",
    };

    private static string Mode(MtaStsMode mode) => mode switch
    {
        MtaStsMode.Enforce => "enforce",
        MtaStsMode.Testing => "testing",
        _ => "none",
    };
}
