# The Python steps (aws:executeScript, runtime python3.11) of the Systems Manager Automation
# documents built by operations-automation.ts. Each step runs this whole file and calls one handler
# with the step's InputPayload as `events`; what a handler returns is the step's `$.Payload`.
# Runbooks: docs/runbooks/README.md. Tests: test/infra/operations-automation.test.ts runs these
# handlers with fake AWS clients.
import json
import time
from datetime import datetime, timedelta, timezone

ISO_FORMS = 'an ISO 8601 date (YYYY-MM-DD) or date-time with an offset (YYYY-MM-DDTHH:MM:SSZ)'
# A run as of a later instant acts early (campaigns start, expire and finish; a report is stored
# for a date that has not come) and cannot be undone. A little slack covers clock skew.
FUTURE_SLACK = timedelta(minutes=5)
# aws:executeScript stops a step after 600 s: no new invocation starts after this many seconds,
# and an invocation is given what is left of the step, less a margin to put messages back.
START_BUDGET_SECONDS = 300
# A re-drive first receives every message it can in this long (a job's dead-letter queue holds a
# handful), so that it runs them oldest first overall, not within each batch of 10.
RECEIVE_BUDGET_SECONDS = 60
STEP_SECONDS = 570
# A received message stays hidden this long, longer than the step can last, so that no other
# consumer (or this loop) takes it while its event is being run.
HOLD_SECONDS = 900
RESULT_CHARS = 4000
# Systems Manager keeps a step's outputs small (StepExecution.Outputs: each value a list of at most
# 50 strings, 10 in older API versions, of at most 512 characters): ReadHealth keeps each list to
# OUTPUT_ITEMS entries of at most OUTPUT_CHARS characters, whatever the report holds.
OUTPUT_ITEMS = 10
OUTPUT_CHARS = 500


def parse_now(value, scheduled_at=None, job='the job', field='Now'):
    """The instant `value` names (UTC), None when it is empty; refused, naming the field, when it is
    not ISO 8601 or lies in the future.

    A date alone means the job's scheduled run that day: `scheduled_at` ("HH:MM" UTC, from the
    deployed schedule). Midnight would be wrong: the daily report stored for that date would cover
    the wrong 24 hours and replace the 08:00 one, and a weekly summary at a Monday's 00:00 would
    rebuild the week before. A job without a time of day (the hourly controller) refuses a date alone."""
    text = (value or '').strip()
    if text == '':
        return None
    try:
        if len(text) == 10:
            day = datetime.strptime(text, '%Y-%m-%d').replace(tzinfo=timezone.utc)
        else:
            day = None
            instant = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f'{field}: must be {ISO_FORMS}, got {text!r}') from None
    if day is not None:
        if not scheduled_at:
            raise ValueError(
                f'{field}: {job} has no scheduled time of day, so a date alone does not say when it runs: '
                f'give a date-time with an offset (YYYY-MM-DDTHH:MM:SSZ), got {text!r}'
            )
        hour, minute = (int(part) for part in scheduled_at.split(':'))
        instant = day.replace(hour=hour, minute=minute)
    if instant.tzinfo is None:
        raise ValueError(f'{field}: must carry an offset (Z or +HH:MM), got {text!r}')
    if instant > datetime.now(timezone.utc) + FUTURE_SLACK:
        raise ValueError(
            f'{field}: {text} is in the future; a run as of a later instant acts early and cannot be undone '
            '(leave Now empty for the current time)'
        )
    return instant.astimezone(timezone.utc)


def iso(instant):
    return instant.isoformat(timespec='milliseconds').replace('+00:00', 'Z')


def job_event(value, scheduled_at=None, job='the job'):
    """The manual event of a job run: {} (the function's clock) or {"now": ISO}."""
    instant = parse_now(value, scheduled_at, job)
    return {} if instant is None else {'now': iso(instant)}


def function_answer(payload_text, function):
    """The function's answer as JSON; an error naming the function when it failed or answered garbage."""
    text = payload_text if isinstance(payload_text, str) else json.dumps(payload_text)
    try:
        answer = json.loads(text) if text.strip() else None
    except ValueError:
        raise RuntimeError(f'{function} answered something that is not JSON: {text[:500]}') from None
    if isinstance(answer, dict) and 'errorMessage' in answer and ('errorType' in answer or 'trace' in answer or 'stackTrace' in answer):
        raise RuntimeError(f"{function} failed: {answer.get('errorType', 'Error')}: {answer['errorMessage']}")
    return answer


def clip(value):
    text = json.dumps(value, separators=(',', ':'), default=str)
    return text if len(text) <= RESULT_CHARS else text[:RESULT_CHARS] + '…'


# --- DailyHealthCheck ------------------------------------------------------------------------


def build_event(events, context):
    """BuildEvent: the daily-operations event for the Now parameter (a date alone: that day at
    `ScheduledAt`), as the JSON string to invoke with."""
    return {'event': json.dumps(job_event(events.get('Now'), events.get('ScheduledAt'), 'daily-operations'))}


def shorten(text, limit=OUTPUT_CHARS):
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + '…'


def at_most(items, limit=OUTPUT_ITEMS):
    """The first `limit` items, the last one saying how many more there were."""
    if len(items) <= limit:
        return items
    return items[:limit - 1] + [f'… and {len(items) - limit + 1} more (idgov --aws report daily --date D)']


def read_health(events, context):
    """ReadHealth: a compact summary of the report the daily-operations function answered: health
    status and source, each degraded component with its reason, the compliance score and status,
    and the recommendations, each list and text cut to what Systems Manager's outputs take."""
    function = events.get('FunctionName', 'the daily-operations function')
    answer = function_answer(events.get('Payload', ''), function)
    report = answer.get('report', answer) if isinstance(answer, dict) else None
    health = report.get('health') if isinstance(report, dict) else None
    if not isinstance(health, dict) or 'status' not in health:
        raise RuntimeError(f'{function} answered without report.health: {clip(answer)}')
    degraded = [
        shorten(f"{component.get('name', '?')}: {component.get('reason') or component.get('status')}")
        for component in health.get('components') or []
        if isinstance(component, dict) and component.get('status') != 'HEALTHY'
    ]
    recommendations = [
        shorten(f"{item.get('severity', 'INFO')}: {item.get('text', '')}", 300)
        for item in report.get('recommendations') or []
        if isinstance(item, dict)
    ]
    compliance = report.get('compliance') or {}
    return {
        'status': shorten(health['status'], 20),
        'source': shorten(health.get('source', ''), 20),
        'date': shorten(report.get('date', ''), 40),
        'degraded': at_most(degraded),
        'recommendations': at_most(recommendations),
        'compliance': shorten(f"{compliance.get('score', '?')} {compliance.get('status', '')}".strip(), 40),
    }


# --- EmergencyAccessRemoval ------------------------------------------------------------------


def read_removal(events, context):
    """ReadRemoval: what the emergency-access function removed."""
    function = events.get('FunctionName', 'the emergency-access function')
    answer = function_answer(events.get('Payload', ''), function)
    if not isinstance(answer, dict) or not isinstance(answer.get('removed'), list):
        raise RuntimeError(f'{function} answered without a removed list: {clip(answer)}')
    return {
        'userId': answer.get('userId', ''),
        'removedCount': len(answer['removed']),
        'removedPrivileges': [removal.get('privilegeId', '?') for removal in answer['removed']],
        'alreadyRecorded': int(answer.get('alreadyRecorded', 0)),
    }


# --- IncidentResponse --------------------------------------------------------------------------


def lambda_client(read_timeout):
    import boto3
    from botocore.config import Config

    # No SDK retry: a retried synchronous invocation would start a second run of the job.
    return boto3.client(
        'lambda',
        config=Config(read_timeout=max(30, int(read_timeout)), connect_timeout=10, retries={'max_attempts': 1, 'mode': 'standard'}),
    )


def invoke(function, event, read_timeout):
    """Runs `function` with `event` and waits for its answer; raises naming the function when it failed."""
    try:
        response = lambda_client(read_timeout).invoke(
            FunctionName=function, InvocationType='RequestResponse', Payload=json.dumps(event).encode('utf-8')
        )
    except Exception as error:
        if type(error).__name__ == 'ReadTimeoutError':
            raise RuntimeError(
                f'{function} did not answer within {int(read_timeout)} s; the run may still be going on in Lambda: '
                "check the job's heartbeat before running it again"
            ) from None
        raise RuntimeError(f'invoking {function} failed: {type(error).__name__}: {error}') from None
    text = response['Payload'].read().decode('utf-8')
    if response.get('FunctionError'):
        function_answer(text, function)
        raise RuntimeError(f"{function} failed ({response['FunctionError']}): {text[:500]}")
    return function_answer(text, function)


def chosen(events, key, what):
    job = events.get('Job', '')
    targets = events.get(key) or {}
    if job not in targets:
        raise ValueError(f"Job: must be one of {', '.join(sorted(targets))}, got {job!r} (no {what} for it)")
    return job, targets[job]


def rerun_job(events, context):
    """RerunJob: one synchronous run of the job's function with {} or {"now": Now}."""
    job, function = chosen(events, 'Functions', 'function')
    event = job_event(events.get('Now'), (events.get('ScheduledAt') or {}).get(job), job)
    answer = invoke(function, event, STEP_SECONDS)
    return {'job': job, 'function': function, 'event': json.dumps(event), 'result': clip(answer)}


def original_event(message):
    """The event a dead-letter message stands for, where it came from, and the error that sent it there.

    Lambda's on-failure destination wraps the event (`requestPayload`) with the invocation's context
    and answer; EventBridge's dead-letter queue holds the event itself, with the error in message
    attributes."""
    try:
        body = json.loads(message.get('Body', ''))
    except ValueError:
        raise ValueError('the body is not JSON') from None
    if not isinstance(body, dict):
        raise ValueError('the body is not a JSON object')
    if 'requestContext' in body and 'requestPayload' in body:
        event = body['requestPayload']
        response = body.get('responsePayload')
        condition = (body.get('requestContext') or {}).get('condition', '')
        if isinstance(response, dict) and 'errorMessage' in response:
            error = f"{response.get('errorType', 'Error')}: {response['errorMessage']}"
        else:
            error = condition or 'the run failed'
        origin = 'lambda-on-failure'
    else:
        event = body
        attributes = message.get('MessageAttributes') or {}
        error = ((attributes.get('ERROR_MESSAGE') or {}).get('StringValue')) or 'EventBridge could not deliver the event'
        origin = 'eventbridge'
    if not isinstance(event, dict):
        raise ValueError('the original event is not a JSON object')
    return event, origin, error


def event_time(event):
    return str(event.get('time') or event.get('now') or '')


def chronological(when):
    """A sort key putting events in time order whatever their offset; events without a readable time last."""
    try:
        instant = datetime.fromisoformat(when.replace('Z', '+00:00'))
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=timezone.utc)
        return (0, instant.astimezone(timezone.utc).isoformat(), when)
    except ValueError:
        return (1, '', when)


def redrive(events, context):
    """RedriveDeadLetterQueue: receives every message of the job's dead-letter queue (hiding each
    longer than the step can last), then runs the job's function with each dead-lettered event,
    oldest first overall, and deletes a message only once its run succeeded. Stops at the first
    failure; every message it did not delete is made visible again at once."""
    import boto3

    job, function = chosen(events, 'Functions', 'function')
    _, queue_url = chosen(events, 'Queues', 'dead-letter queue')
    sqs = boto3.client('sqs')
    started = time.monotonic()
    held = {}
    redriven, unreadable, runnable = [], [], []
    failure = None
    stopped_for_time = False
    received_all = False

    # 1. Receive everything there is (an empty answer: the queue is drained of visible messages).
    while time.monotonic() - started < RECEIVE_BUDGET_SECONDS:
        batch = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=HOLD_SECONDS,
            WaitTimeSeconds=1,
            MessageAttributeNames=['All'],
        ).get('Messages', [])
        fresh = [message for message in batch if message['MessageId'] not in held]
        for message in batch:
            held[message['MessageId']] = message['ReceiptHandle']
        if not fresh:
            received_all = True
            break
        for message in fresh:
            try:
                event, origin, error = original_event(message)
            except ValueError as problem:
                unreadable.append({'messageId': message['MessageId'], 'problem': str(problem), 'body': message.get('Body', '')[:300]})
                continue
            runnable.append((event_time(event), message, event, origin, error))

    # 2. Run them, oldest first.
    runnable.sort(key=lambda candidate: chronological(candidate[0]))
    for when, message, event, origin, error in runnable:
        elapsed = time.monotonic() - started
        if elapsed >= START_BUDGET_SECONDS:
            stopped_for_time = True
            break
        try:
            answer = invoke(function, event, STEP_SECONDS - elapsed)
        except RuntimeError as problem:
            failure = {'messageId': message['MessageId'], 'eventTime': when, 'error': str(problem)}
            break
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message['ReceiptHandle'])
        del held[message['MessageId']]
        redriven.append({
            'messageId': message['MessageId'], 'origin': origin, 'eventTime': when,
            'previousError': error[:300], 'result': clip(answer)[:500],
        })
    # Messages still in the queue that this run never received: run again for them (after these).
    if not received_all:
        stopped_for_time = True

    for receipt in held.values():
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=receipt, VisibilityTimeout=0)
    left = int(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=['ApproximateNumberOfMessages'])
               .get('Attributes', {}).get('ApproximateNumberOfMessages', '0'))
    summary = {
        'job': job,
        'function': function,
        'redriven': len(redriven),
        'runs': [clip(run) for run in redriven],
        'left': left,
        'stoppedForTime': stopped_for_time,
    }
    if failure is not None or unreadable:
        summary['failure'] = failure
        summary['unreadable'] = unreadable
        raise RuntimeError(
            'Re-drive stopped: ' + ('a run failed; its message and the later ones are back in the queue. ' if failure else '')
            + ('some messages are not events of this job; they are back in the queue. ' if unreadable else '')
            + json.dumps(summary, default=str)
        )
    return summary
