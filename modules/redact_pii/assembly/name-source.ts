/**
 * Where the name list comes from. For now a copy of `data/names.txt` compiled into
 * the module; it moves to a read of that file through the package's read-only
 * WASI mount once the executor provides one.
 */
import { NameList } from './names'

/** The loaded list, or why it could not be loaded. */
export class NameSource {
  constructor(
    public list: NameList,
    public error: string,
  ) {}
}

const EMBEDDED_NAMES = `
Aaliyah
Ahmed
Aisha
Alejandro
Alexander
Alice
Amelia
Ana
Andrea
Anna
Antoine
Arjun
Astrid
Ben
Benjamin
Carlos
Catherine
Charlotte
Chen
Chloé
Daniel
David
Diego
Dmitri
Elena
Elif
Emily
Emma
Fatima
François
Gabriel
Giulia
Hannah
Hans
Hiroshi
Ingrid
Isabella
Ivan
James
Jane
Jean
Jennifer
Jiayi
John
José
Juan
Jürgen
Karim
Katarzyna
Klaus
Lars
Laura
Lea
Liam
Linda
Lucas
Łukasz
Maria
Marie
Matteo
Mehmet
Michael
Mohammed
Noah
Nour
Oliver
Olivia
Omar
Patricia
Paul
Pedro
Priya
Rahul
Robert
Sarah
Siobhán
Sofia
Søren
Sophie
Thomas
Valentina
Wei
William
Yuki
Zoë
Andersson
Bauer
Becker
Brown
Chen
Dubois
Fischer
García
Garcia
González
Hansen
Jensen
Johnson
Jones
Kowalski
Kumar
Lee
Martin
Martínez
Meyer
Miller
Müller
Nakamura
Nguyen
Novak
O'Brien
Patel
Petrov
Rossi
Santos
Schmidt
Schneider
Silva
Smith
Suzuki
Tanaka
Wagner
Weber
Williams
Wilson
Yılmaz
`

export function loadNameList(): NameSource {
  return new NameSource(new NameList(EMBEDDED_NAMES), '')
}
