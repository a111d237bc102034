#version 3.7;
// Ceramic mug, 350 ml. Variant 0 = white glaze, 1 = blue glaze.
// Angle 0 = front three-quarter view, 1 = higher view into the mug.
#ifndef (Angle) #declare Angle = 0; #end
#include "studio.inc"

#if (Variant = 1)
  #declare MugColor = <0.030, 0.085, 0.230>;
#else
  #declare MugColor = <0.93, 0.92, 0.88>;
#end

#declare Mug = union {
  lathe {
    linear_spline 17,
    <0, 0>, <3.70, 0>, <3.95, 0.10>, <4.10, 0.35>, <4.20, 1.00>, <4.25, 9.20>,
    <4.24, 9.45>, <4.18, 9.58>, <4.08, 9.63>, <3.98, 9.58>, <3.92, 9.45>,
    <3.90, 9.20>, <3.85, 1.20>, <3.60, 0.88>, <3.00, 0.78>, <0.5, 0.76>, <0, 0.76>
  }
  sphere_sweep {
    cubic_spline 7,
    <3.9, 8.9, 0>, 0.42,
    <4.45, 8.0, 0>, 0.42,
    <6.3, 7.6, 0>, 0.42,
    <7.1, 5.4, 0>, 0.42,
    <6.1, 3.2, 0>, 0.42,
    <4.45, 2.8, 0>, 0.42,
    <3.9, 2.2, 0>, 0.42
    scale <1, 1, 1.45>
  }
  Glaze(MugColor)
  interior { Glaze_Interior }
}

#if (Angle = 1)
  object { Mug rotate y*-35 }
  Shoot(<0.9, 4.6, 0>, 17.5, 40, 10)
#else
  object { Mug rotate y*-20 }
  Shoot(<1.3, 4.9, 0>, 15.5, 16, 0)
#end
Flags(40)
