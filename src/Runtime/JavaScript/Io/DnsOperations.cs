using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Granary.Runtime.Egress;
using Granary.Runtime.Execution;

namespace Granary.Runtime.JavaScript.Io;

/// <summary>
/// The host side of <c>require('dns')</c>: names are resolved by the host and every address is checked by the egress
/// policy before the function sees it, so a lookup answers only addresses the function could connect to (a name that
/// resolves to loopback or the metadata address fails as the connection would). Results settle through
/// <c>completeOp</c> while the invocation that asked still runs.
/// </summary>
internal static class DnsOperations
{
    /// <summary>
    /// Starts resolving <paramref name="hostname"/> (<paramref name="family"/> 4, 6 or 0 for both); the answer,
    /// <c>[{address, family}, ...]</c> or <c>{code, message}</c>, comes back through <c>completeOp</c>. Returns null, or
    /// why the lookup cannot start.
    /// </summary>
    public static string? Lookup(V8Isolate isolate, FunctionMeta function, int id, string hostname, int family)
    {
        var invocation = isolate.Invocation;
        if (invocation == 0)
        {
            return "dns lookups are only available while the function handles a request (not while its module loads, nor after it has answered).";
        }

        _ = LookupAsync(isolate, function, id, hostname, family, invocation);
        return null;
    }

    private static async Task LookupAsync(V8Isolate isolate, FunctionMeta function, int id, string hostname, int family, int invocation)
    {
        try
        {
            if (!function.Egress.AllowsAny(function.Tenant))
            {
                throw new LookupException("ENOTFOUND", $"getaddrinfo ENOTFOUND {hostname}: tenant '{function.Tenant}' may not open outbound connections ({EgressOptions.SectionName}:Tenants:{function.Tenant} is 'none')");
            }

            var literal = hostname.StartsWith('[') && hostname.EndsWith(']') ? hostname[1..^1] : hostname;
            IPAddress[] addresses;
            if (IPAddress.TryParse(literal, out var parsed))
            {
                addresses = [parsed];
            }
            else
            {
                using var timeout = new CancellationTokenSource(function.Egress.ConnectTimeout);
                try
                {
                    addresses = await Dns.GetHostAddressesAsync(hostname, timeout.Token).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    throw new LookupException("ENOTFOUND", $"getaddrinfo ENOTFOUND {hostname}");
                }
                catch (OperationCanceledException)
                {
                    throw new LookupException("ETIMEOUT", $"getaddrinfo ETIMEOUT {hostname}");
                }
            }

            var matching = addresses.Select(EgressPolicy.Normalize)
                .Where(a => family switch
                {
                    4 => a.AddressFamily == AddressFamily.InterNetwork,
                    6 => a.AddressFamily == AddressFamily.InterNetworkV6,
                    _ => true,
                })
                .Distinct()
                .ToList();
            if (matching.Count == 0)
            {
                throw new LookupException("ENOTFOUND", $"getaddrinfo ENOTFOUND {hostname}");
            }

            string? refusal = null;
            var allowed = new List<IPAddress>();
            foreach (var address in matching)
            {
                if (function.Egress.CheckLookup(function.Tenant, hostname, address) is { } why)
                {
                    refusal ??= why;
                }
                else
                {
                    allowed.Add(address);
                }
            }

            if (allowed.Count == 0)
            {
                throw new LookupException("ENOTFOUND", $"getaddrinfo ENOTFOUND {hostname}: refused by Granary's egress policy: {refusal}");
            }

            isolate.CompleteOperation(id, true, 0, "", AddressesJson(allowed), invocation);
        }
        catch (LookupException ex)
        {
            isolate.CompleteOperation(id, false, 0, "", ErrorJson(ex.Code, ex.Message, hostname), invocation);
        }
        catch (Exception ex)
        {
            isolate.CompleteOperation(id, false, 0, "", ErrorJson("EAI_FAIL", $"getaddrinfo EAI_FAIL {hostname}: {ex.Message}", hostname), invocation);
        }
    }

    private static string AddressesJson(List<IPAddress> addresses)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var address in addresses)
            {
                writer.WriteStartObject();
                writer.WriteString("address", address.ToString());
                writer.WriteNumber("family", address.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string ErrorJson(string code, string message, string hostname)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteString("hostname", hostname);
            writer.WriteString("syscall", "getaddrinfo");
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed class LookupException(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }
}
