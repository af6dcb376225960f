using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Granary.Runtime.Execution;
using Granary.Runtime.Python;

namespace Granary.Runtime.Workers;

// The wire protocol, the worker's side of it as the host reads it: frames from the worker's stdout, dispatched to the
// call in progress (loaded, result, logs) or answered (the worker's calls to the host: the workspace cache).
public sealed partial class WorkerProcess
{
    // The reader loop, on a thread of its own blocked in read(2): a reply wakes that thread directly, and the call's
    // continuation runs on it (the call's completion does not run continuations asynchronously), up to the response's
    // write on the embedded warm path. An awaited read took two wake-ups per reply instead (the socket engine's epoll
    // thread, then a thread-pool thread), and the pool's idle threads spun between replies. A worker blocked in read
    // costs no CPU, only its thread's small stack. One buffer, frames parsed in place; a frame larger than the buffer
    // grows it for that frame.
    private static Task StartReadingFrames(WorkerProcess worker)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(
            () =>
            {
                try
                {
                    worker.ReadFrames();
                }
                finally
                {
                    done.TrySetResult();
                }
            },
            ReaderStackBytes)
        { IsBackground = true, Name = "granary-worker-reader" };
        thread.Start();
        return done.Task;
    }

    private void ReadFrames()
    {
        var buffer = new byte[InitialReadBuffer];
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                while (end - start < 4)
                {
                    if (!Fill(ref buffer, ref start, ref end, 4))
                    {
                        // Unreachable: 4 bytes always fit.
                        return;
                    }

                    var read = _output.Read(buffer.AsSpan(end));
                    if (read == 0)
                    {
                        return;
                    }

                    end += read;
                }

                var length = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(start));
                if (length <= 0 || length > _maxFrameBytes)
                {
                    ProtocolFailure($"The worker sent a frame of {length} bytes (the limit is {PythonLauncher.ConfigurationSection}:MaxFrameMb).");
                    return;
                }

                var total = 4 + length;
                Fill(ref buffer, ref start, ref end, total);
                while (end - start < total)
                {
                    var read = _output.Read(buffer.AsSpan(end));
                    if (read == 0)
                    {
                        return;
                    }

                    end += read;
                }

                try
                {
                    Dispatch(buffer.AsSpan(start + 4, length));
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
                {
                    ProtocolFailure("The worker sent a malformed frame: " + ex.Message);
                    return;
                }

                start += total;
                if (start == end)
                {
                    start = end = 0;
                    if (buffer.Length > InitialReadBuffer)
                    {
                        buffer = new byte[InitialReadBuffer];
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The pipe closed under the reader: the exit watcher reports how the process ended.
        }
        finally
        {
            _broken = true;
        }
    }

    // Makes room in the read buffer for a frame of `total` bytes starting at `start`.
    private static bool Fill(ref byte[] buffer, ref int start, ref int end, int total)
    {
        if (buffer.Length - start >= total)
        {
            return true;
        }

        var target = buffer.Length >= total ? buffer : new byte[Math.Max(total, buffer.Length * 2)];
        Buffer.BlockCopy(buffer, start, target, 0, end - start);
        buffer = target;
        end -= start;
        start = 0;
        return true;
    }

    private void Dispatch(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A frame is not a JSON object.");
        }

        var op = Op.Unknown;
        long seq = -1, id = -1, pid = 0;
        int payloadStart = -1, payloadEnd = -1;
        string? fault = null, method = null, python = null;
        var computed = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("op"u8))
            {
                reader.Read();
                op = reader.ValueTextEquals("result"u8) ? Op.Result
                    : reader.ValueTextEquals("call"u8) ? Op.Call
                    : reader.ValueTextEquals("logs"u8) ? Op.Logs
                    : reader.ValueTextEquals("loaded"u8) ? Op.Loaded
                    : reader.ValueTextEquals("ready"u8) ? Op.Ready
                    : Op.Unknown;
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                seq = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("result"u8) || reader.ValueTextEquals("logs"u8) || reader.ValueTextEquals("args"u8))
            {
                reader.Read();
                payloadStart = (int)reader.TokenStartIndex;
                reader.Skip();
                payloadEnd = (int)reader.BytesConsumed;
            }
            else if (reader.ValueTextEquals("fault"u8))
            {
                reader.Read();
                fault = reader.GetString();
            }
            else if (reader.ValueTextEquals("method"u8))
            {
                reader.Read();
                method = reader.GetString();
            }
            else if (reader.ValueTextEquals("pid"u8))
            {
                reader.Read();
                pid = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("python"u8))
            {
                reader.Read();
                python = reader.GetString();
            }
            else if (reader.ValueTextEquals("computed"u8))
            {
                reader.Read();
                computed = reader.TokenType == JsonTokenType.True;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        var payload = payloadStart >= 0 ? frame[payloadStart..payloadEnd] : default;
        switch (op)
        {
            case Op.Result when !_loading && seq == _seq && payloadStart >= 0:
                var result = Encoding.UTF8.GetString(payload);
                if (fault == "memory-limit")
                {
                    _broken = true;
                    TrySettle(Waiting, null, new WorkerException(WorkerFault.MemoryLimit, MemoryLimitDetail(), InvocationJson.Read(result).Logs));
                }
                else
                {
                    // Before the settle: the call's continuation (its function's scale-up rule) reads it.
                    LastCallComputed = computed;
                    TrySettle(Waiting, result, null);
                }

                break;
            case Op.Loaded when _loading:
                TrySettle(Waiting, Encoding.UTF8.GetString(frame), null);
                break;
            case Op.Logs when seq == _seq && payloadStart >= 0:
                Volatile.Read(ref _logsWaiter)?.TrySetResult(Encoding.UTF8.GetString(payload));
                break;
            case Op.Call:
                _ = AnswerCallAsync(id, method ?? "", payloadStart >= 0 ? Encoding.UTF8.GetString(payload) : "{}");
                break;
            case Op.Ready:
                _box?.Locate(ProcessId);
                InterpreterVersion = python ?? "";
                LogStarted(_language, ProcessId, pid, InterpreterVersion);
                _ready.TrySetResult();
                break;
            default:
                // A late reply (after a timeout) or an unknown op: ignored.
                break;
        }
    }

    private string MemoryLimitDetail() =>
        $"The function exceeded its memory limit of {_memoryLimitMb} MiB; its worker process was replaced.";

    // A call from the worker to the host during an invocation (the adapters' host.call).
    private async Task AnswerCallAsync(long id, string method, string argsJson)
    {
        byte[] reply;
        try
        {
            double value;
            switch (method)
            {
                case "cache.incr":
                    var cache = SnippetCache ?? throw new InvalidOperationException("This function has no workspace cache.");
                    using (var args = JsonDocument.Parse(argsJson))
                    {
                        var key = args.RootElement.GetProperty("key").GetString() ?? throw new InvalidOperationException("cache.incr needs a key.");
                        var delta = args.RootElement.TryGetProperty("delta", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : 1;
                        value = await cache.IncrementAsync(key, delta);
                    }

                    break;
                default:
                    throw new InvalidOperationException($"The host has no method '{method}'.");
            }

            reply = Frame(writer =>
            {
                writer.WriteString("op", "reply");
                writer.WriteNumber("id", id);
                writer.WriteBoolean("ok", true);
                writer.WriteNumber("value", value);
            });
        }
        catch (Exception ex)
        {
            reply = Frame(writer =>
            {
                writer.WriteString("op", "reply");
                writer.WriteNumber("id", id);
                writer.WriteBoolean("ok", false);
                writer.WriteString("error", ex.Message);
            });
        }

        try
        {
            await _input.WriteAsync(reply);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            LogWriteFailed(_language, ProcessId, ex);
        }
    }

    private static byte[] Frame(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.GetSpan(4);
        buffer.Advance(4);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        var frame = buffer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        return frame;
    }

    private void ProtocolFailure(string message)
    {
        LogProtocolFailure(_language, ProcessId, message);
        Volatile.Write(ref _death, new WorkerException(WorkerFault.Protocol, message));
        Kill();
    }

    private enum Op
    {
        Unknown,
        Ready,
        Loaded,
        Result,
        Logs,
        Call,
    }
}
