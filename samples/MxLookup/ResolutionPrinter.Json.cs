using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MxResolver;

namespace MxLookup;

internal static partial class ResolutionPrinter
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // The output is a terminal or a pipe, never HTML: keep "bücher.example" readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>
    /// Writes one JSON object on one line: <c>input</c>, <c>domain</c>, <c>asciiDomain</c>,
    /// <c>status</c>, <c>permanent</c>, <c>enhancedStatusCode</c>, <c>mxSecure</c> (DNSSEC),
    /// <c>targets</c> (<c>host</c>, <c>preference</c>, <c>implicit</c>, <c>secure</c>, <c>addresses</c>),
    /// <c>warnings</c>, <c>error</c>,
    /// <c>ttlSeconds</c>. Written with <see cref="Utf8JsonWriter"/>: no reflection, so Native AOT
    /// and trimming are safe.
    /// </summary>
    public static void WriteJson(TextWriter writer, MxResolution result)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("input", result.Input);
            json.WriteString("domain", result.Domain);
            json.WriteString("asciiDomain", result.AsciiDomain);
            json.WriteString("status", StatusName(result.Status));
            json.WriteBoolean("permanent", result.IsPermanentFailure);
            json.WriteString("enhancedStatusCode", result.EnhancedStatusCode);
            json.WriteBoolean("mxSecure", result.IsMxSecure);

            json.WriteStartArray("targets");
            foreach (MxTarget target in result.Targets)
            {
                json.WriteStartObject();
                json.WriteString("host", HostName(target.Host));
                json.WriteNumber("preference", target.Preference);
                json.WriteBoolean("implicit", target.IsImplicit);
                json.WriteBoolean("secure", target.IsSecure);
                json.WriteStartArray("addresses");
                foreach (IPAddress address in target.Addresses)
                {
                    json.WriteStringValue(address.ToString());
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartArray("warnings");
            foreach (string warning in result.Warnings)
            {
                json.WriteStringValue(warning);
            }

            json.WriteEndArray();
            json.WriteString("error", result.Error);
            if (TtlSeconds(result) is { } ttl)
            {
                json.WriteNumber("ttlSeconds", ttl);
            }
            else
            {
                json.WriteNull("ttlSeconds");
            }

            json.WriteEndObject();
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>
    /// The library already reports host names in lower case without the trailing dot; this keeps
    /// the promise of the JSON format whatever it is handed. Address literals keep their form.
    /// </summary>
    private static string HostName(string host)
        => host.StartsWith('[') ? host : host.TrimEnd('.').ToLowerInvariant();
}
