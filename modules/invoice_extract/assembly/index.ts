/**
 * invoice_extract: reads `{text}` (an invoice's OCR text) as JSON on stdin and
 * writes `{invoice_number, issue_date, due_date?, currency, total, subtotal?, tax?,
 * vendor}` as JSON on stdout: dates ISO, amounts JSON numbers, the currency an ISO
 * 4217 code. When the request is bad or a required field is not in the text, it
 * writes `{error: {code, message}}` and exits with status 1.
 */
import { extractInvoice } from './fields'
import { parseTextRequest, quoteJson } from '../../../modules-lib/assembly/json'
import { fail, readStdin } from '../../../modules-lib/assembly/stdio'

function member(name: string, json: string): string {
  return quoteJson(name) + ':' + json
}

function main(): void {
  const request = parseTextRequest(readStdin())
  if (request.error.length > 0) {
    fail('INVALID_REQUEST', request.error)
    return
  }
  const invoice = extractInvoice(request.text)
  const missing = new Array<string>()
  if (invoice.invoiceNumber.length == 0) missing.push('invoice_number')
  if (invoice.issueDate.length == 0) missing.push('issue_date')
  if (invoice.currency.length == 0) missing.push('currency')
  if (invoice.total.length == 0) missing.push('total')
  if (invoice.vendor.length == 0) missing.push('vendor')
  if (missing.length > 0) {
    fail('FIELDS_NOT_FOUND', 'the text holds no ' + missing.join(', '))
    return
  }
  const members = new Array<string>()
  members.push(member('invoice_number', quoteJson(invoice.invoiceNumber)))
  members.push(member('issue_date', quoteJson(invoice.issueDate)))
  if (invoice.dueDate.length > 0) members.push(member('due_date', quoteJson(invoice.dueDate)))
  members.push(member('currency', quoteJson(invoice.currency)))
  // Amounts are exact decimal text (`1234.56`), which is a JSON number as it stands.
  members.push(member('total', invoice.total))
  if (invoice.subtotal.length > 0) members.push(member('subtotal', invoice.subtotal))
  if (invoice.tax.length > 0) members.push(member('tax', invoice.tax))
  members.push(member('vendor', quoteJson(invoice.vendor)))
  process.stdout.write('{' + members.join(',') + '}')
}

main()
